-- Per feature, source and minute: what the raw samples of that minute said, kept far longer than
-- the samples themselves (rollup-retention vs retention). Recomputed while late samples may still
-- arrive (rollup-lateness), so a row is replaced, never summed into.
CREATE TABLE rollups (
    feature  text NOT NULL,
    source   text NOT NULL,
    minute   timestamptz NOT NULL,
    count    bigint NOT NULL,
    errors   bigint NOT NULL,
    p50_ms   double precision NOT NULL,
    p95_ms   double precision NOT NULL,
    p99_ms   double precision NOT NULL,
    max_ms   double precision NOT NULL,
    PRIMARY KEY (feature, source, minute)
);
-- Retention and unfiltered windows read by minute.
CREATE INDEX rollups_minute ON rollups (minute);
