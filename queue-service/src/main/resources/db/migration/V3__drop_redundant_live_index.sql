-- jobs_live (queue, state, priority) cost an index entry on every insert and claim, and offered the
-- planner a claim plan (scan it, then sort) that is slow with a backlog. The live stats now read
-- each state through the partial index that state already has (jobs_claim, jobs_due, jobs_leases).
DROP INDEX jobs_live;
