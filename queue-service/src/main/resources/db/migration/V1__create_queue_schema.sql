-- queue-service owns schema "queue" (created by Flyway). See docs/job-states.md for the state machine.

CREATE TABLE queues (
    name                   text PRIMARY KEY,
    paused                 boolean NOT NULL DEFAULT false,
    max_attempts           integer NOT NULL,
    backoff_base_ms        bigint  NOT NULL,
    backoff_max_ms         bigint  NOT NULL,
    lease_ms               bigint  NOT NULL,
    ttl_urgent_ms          bigint  NOT NULL,   -- P0-P1
    ttl_normal_ms          bigint  NOT NULL,   -- P2-P4
    ttl_background_ms      bigint  NOT NULL,   -- P5-P6
    rate_per_second        double precision,   -- null: unlimited
    cost_per_minute        bigint,             -- null: unlimited
    fairness_limit         integer,            -- running jobs per fairness key; null: unlimited
    -- token buckets for the rate and cost limits, refilled lazily by the claim that reads them
    rate_tokens            double precision NOT NULL DEFAULT 0,
    cost_tokens            double precision NOT NULL DEFAULT 0,
    tokens_at              timestamptz NOT NULL DEFAULT now(),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue            text     NOT NULL REFERENCES queues (name),
    kind             text     NOT NULL,
    payload          jsonb    NOT NULL,
    priority         smallint NOT NULL CHECK (priority BETWEEN 0 AND 6),
    base_priority    smallint NOT NULL CHECK (base_priority BETWEEN 0 AND 6),
    state            text     NOT NULL CHECK (state IN
                         ('scheduled', 'available', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    run_at           timestamptz NOT NULL,    -- due time: enqueue, delay, or next retry
    expires_at       timestamptz NOT NULL,    -- not started by then: dead, reason 'expired' ('infinity' once started)
    unique_key       text,
    fairness_key     text,
    cost             integer  NOT NULL DEFAULT 1 CHECK (cost >= 0),
    attempt          integer  NOT NULL DEFAULT 0,
    max_attempts     integer  NOT NULL,
    runner_id        text,
    lease_token      uuid,
    lease_expires_at timestamptz,
    errors           jsonb    NOT NULL DEFAULT '[]',
    result           jsonb,
    dead_reason      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    aged_at          timestamptz,
    attempted_at     timestamptz,
    finished_at      timestamptz
);

-- The claim: highest priority first, FIFO within a priority, only what is available.
CREATE INDEX jobs_claim ON jobs (queue, priority, run_at, id) WHERE state = 'available';
-- Idempotent enqueue: one live job per (queue, unique key).
CREATE UNIQUE INDEX jobs_unique_live ON jobs (queue, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'available', 'running', 'failed');
-- Maintenance sweeps and stats read only these slices, never the finished bulk of the table.
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('scheduled', 'failed');
CREATE INDEX jobs_expiry ON jobs (expires_at) WHERE state IN ('scheduled', 'available');
CREATE INDEX jobs_aging ON jobs (coalesce(aged_at, run_at)) WHERE state = 'available' AND priority > 0;
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_live ON jobs (queue, state, priority) WHERE state IN ('scheduled', 'available', 'running', 'failed');
CREATE INDEX jobs_running_fairness ON jobs (queue, fairness_key) WHERE state = 'running' AND fairness_key IS NOT NULL;
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'cancelled', 'dead');
CREATE INDEX jobs_dead ON jobs (queue, id) WHERE state = 'dead';

CREATE TABLE periodic_jobs (
    name             text PRIMARY KEY,
    queue            text NOT NULL,
    kind             text NOT NULL,
    payload          jsonb NOT NULL DEFAULT '{}',
    priority         smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 0 AND 6),
    cron             text NOT NULL,
    time_zone        text NOT NULL DEFAULT 'UTC',
    missed_policy    text NOT NULL DEFAULT 'skip' CHECK (missed_policy IN ('skip', 'run-once')),
    enabled          boolean NOT NULL DEFAULT true,
    last_tick_at     timestamptz,   -- the last tick a job was enqueued for
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
