-- The runner processes the process backend (dev.fleet.scaler.backend.process) started: one row per
-- process it believes alive. host + pid + process_start identify a process: a PID alone may since
-- have been recycled for an unrelated process, which must never be signalled. Rows of dead or
-- recycled processes are deleted by the backend's reconciliation.
CREATE TABLE processes (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host           text        NOT NULL,   -- the machine: a PID means nothing on another one
    pool           text        NOT NULL,
    instance       integer     NOT NULL,   -- the {index} it was started with
    pid            bigint      NOT NULL,
    port           integer     NOT NULL,
    process_start  timestamptz NOT NULL,   -- ProcessHandle.Info.startInstant() as the OS reported it
    command        text[]      NOT NULL,   -- argv after placeholder substitution
    log_path       text        NOT NULL,   -- stdout + stderr
    started_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX processes_host_pool ON processes (host, pool);
