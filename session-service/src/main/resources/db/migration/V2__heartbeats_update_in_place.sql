-- A heartbeat rewrites a runner row every few seconds. When no indexed column changes, PostgreSQL
-- updates the row in place (a HOT update: no new index entries, no index bloat); the benchmark
-- showed 99 % of heartbeats missing that path because last_heartbeat_at and health were indexed.
-- The silence sweep and listings read a table of at most thousands of rows, for which the
-- primary key and an index on pool suffice; free space on each page keeps the new version beside
-- the old one.
DROP INDEX session.runners_last_heartbeat;
DROP INDEX session.runners_pool;
CREATE INDEX runners_pool ON session.runners (pool);
ALTER TABLE session.runners SET (fillfactor = 50);
