-- session-service owns schema "session": runners, sessions, their resource leases,
-- long-running operations and per-session event logs. Times come from the service's clock
-- (passed as parameters), so tests can drive idle, timeout and health windows without sleeping.

CREATE TABLE session.runners (
    id                 uuid PRIMARY KEY,
    pool               text NOT NULL,
    endpoint           text NOT NULL,
    -- Runners on the same host share its X11 displays, ports and volume names.
    host               text NOT NULL,
    max_sessions       int NOT NULL CHECK (max_sessions > 0),
    weight             double precision NOT NULL CHECK (weight > 0),
    labels             jsonb NOT NULL DEFAULT '{}',
    version            text,
    token_hash         bytea NOT NULL,
    health             text NOT NULL CHECK (health IN ('healthy', 'degraded', 'unhealthy', 'gone')),
    draining           boolean NOT NULL DEFAULT false,
    registered_at      timestamptz NOT NULL,
    last_heartbeat_at  timestamptz NOT NULL,
    -- Figures from the latest heartbeat, as the runner reported them.
    cpu_percent        double precision,
    memory_percent     double precision,
    active_sessions    int,
    active_connections int,
    avg_response_ms    double precision,
    avg_thinking_ms    double precision,
    queue_depth        int,
    -- Our own count of live sessions placed on it (placement's capacity check).
    live_sessions      int NOT NULL DEFAULT 0 CHECK (live_sessions >= 0),
    sessions_total     bigint NOT NULL DEFAULT 0,
    failures_total     bigint NOT NULL DEFAULT 0
);
CREATE INDEX runners_pool ON session.runners (pool, health);
CREATE INDEX runners_last_heartbeat ON session.runners (last_heartbeat_at);

CREATE TABLE session.sessions (
    id                      uuid PRIMARY KEY,
    pool                    text NOT NULL,
    labels                  jsonb NOT NULL DEFAULT '{}',
    owner                   text NOT NULL,
    kind                    text NOT NULL CHECK (kind IN ('human', 'agent')),
    state                   text NOT NULL CHECK (state IN ('pending', 'starting', 'running', 'paused',
                                                           'stopping', 'stopped', 'error', 'expired')),
    state_reason            text,
    runner_id               uuid,
    host                    text,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    -- A pending session expires at this time if no runner took it.
    start_deadline          timestamptz,
    started_at              timestamptz,
    ended_at                timestamptz,
    -- Idle auto-pause: thresholds (null = off) and activity, human and agent apart.
    auto_pause              boolean NOT NULL,
    idle_human_ms           bigint NOT NULL,
    idle_agent_ms           bigint NOT NULL,
    last_human_activity_at  timestamptz NOT NULL,
    last_agent_activity_at  timestamptz NOT NULL,
    auto_paused             boolean NOT NULL DEFAULT false,
    paused_at               timestamptz,
    resumed_at              timestamptz,
    -- First activity seen since the session was auto-paused (resume needs it to last).
    activity_since          timestamptz,
    -- Highest event sequence number handed out.
    event_seq               bigint NOT NULL DEFAULT 0
);
CREATE INDEX sessions_live_by_runner ON session.sessions (runner_id)
    WHERE state IN ('starting', 'running', 'paused', 'stopping');
CREATE INDEX sessions_pending ON session.sessions (created_at) WHERE state = 'pending';
CREATE INDEX sessions_running ON session.sessions (id) WHERE state IN ('running', 'paused');
CREATE INDEX sessions_by_pool ON session.sessions (pool, created_at DESC);

-- A value of a kind (display, port block, volume) held on a host by one live session.
-- The primary key is what makes a double hand-out impossible.
CREATE TABLE session.resource_leases (
    host        text NOT NULL,
    kind        text NOT NULL,
    value       int NOT NULL,
    session_id  uuid NOT NULL,
    leased_at   timestamptz NOT NULL,
    PRIMARY KEY (host, kind, value)
);
CREATE INDEX resource_leases_session ON session.resource_leases (session_id);

CREATE TABLE session.operations (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    target      uuid NOT NULL,
    runner_id   uuid,
    done        boolean NOT NULL DEFAULT false,
    progress    int NOT NULL DEFAULT 0,
    metadata    jsonb NOT NULL DEFAULT '{}',
    result      jsonb,
    error_code  text,
    error       text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    deadline    timestamptz NOT NULL
);
CREATE INDEX operations_by_target ON session.operations (target, created_at DESC);
CREATE INDEX operations_open ON session.operations (deadline) WHERE NOT done;
CREATE INDEX operations_open_by_runner ON session.operations (runner_id) WHERE NOT done;
CREATE INDEX operations_done ON session.operations (updated_at) WHERE done;

-- Append-only; the newest N of a session are a backward scan of the primary key.
CREATE TABLE session.session_events (
    session_id  uuid NOT NULL,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    type        text NOT NULL,
    source      text NOT NULL CHECK (source IN ('human', 'agent', 'system')),
    data        jsonb,
    PRIMARY KEY (session_id, seq)
);
