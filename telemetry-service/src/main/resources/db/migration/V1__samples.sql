-- telemetry-service owns schema "telemetry" (created by Flyway).

-- One performance sample a runner or service reported: how long one use of a feature took and
-- whether it worked. The API validates every field first; the checks only guard the table.
CREATE TABLE samples (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL CHECK (char_length(source) BETWEEN 1 AND 128),   -- who measured: runner id, service name
    feature     text NOT NULL CHECK (char_length(feature) BETWEEN 1 AND 128),  -- what was measured: job.sleep, http.echo
    duration_ms double precision NOT NULL CHECK (duration_ms >= 0),
    outcome     text NOT NULL CHECK (outcome IN ('ok', 'error')),
    at          timestamptz NOT NULL,                                         -- when it happened (reporter's clock)
    attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Listings and summaries filter by feature or source and read the newest first; id breaks ties
-- (a batch without "at" shares one timestamp), so a page is a plain index range.
CREATE INDEX samples_feature_at ON samples (feature, at DESC, id DESC);
CREATE INDEX samples_source_at ON samples (source, at DESC, id DESC);
-- Retention deletes the oldest first; unfiltered listings scan it backwards.
CREATE INDEX samples_at ON samples (at, id);
