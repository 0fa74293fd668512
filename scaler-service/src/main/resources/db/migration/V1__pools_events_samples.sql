-- Pools the scaler manages, every decision it made, and the samples its forecasts learn from.

CREATE TABLE scaler.pools (
    name             text PRIMARY KEY,
    spec             jsonb NOT NULL,                 -- PoolSpec as accepted (limits, queue, backend, policy)
    source           text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
    instances        integer NOT NULL DEFAULT 0,     -- the size last asked of the backend
    manual_instances integer,                        -- a manual scale the leader has yet to carry out
    manual_event     bigint,                         -- its event, updated with the outcome
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scaler.events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool           text NOT NULL,
    at             timestamptz NOT NULL,
    from_instances integer NOT NULL,
    to_instances   integer NOT NULL,
    kind           text NOT NULL,                    -- scale-out, scale-in, replace-all, none (a manual no-op)
    rule           text NOT NULL,                    -- the rule that fired, or manual
    recommended    integer NOT NULL,
    inputs         jsonb NOT NULL,                   -- the metric values the decision read
    reason         text NOT NULL,
    emergency      boolean NOT NULL DEFAULT false,
    alert          boolean NOT NULL DEFAULT false,
    dry_run        boolean NOT NULL DEFAULT false,
    backend_call   text,                             -- e.g. process.scaleTo(3)
    outcome        text NOT NULL,                    -- pending, ok, failed, dry-run
    outcome_detail text,
    completed_at   timestamptz
);
CREATE INDEX events_pool_id ON scaler.events (pool, id DESC);
CREATE INDEX events_at ON scaler.events (at);

CREATE TABLE scaler.samples (
    pool   text NOT NULL,
    metric text NOT NULL,
    at     timestamptz NOT NULL,
    value  double precision NOT NULL,
    PRIMARY KEY (pool, metric, at)
);
CREATE INDEX samples_at ON scaler.samples (at);
