-- A finding: an indicator past a capacity threshold for a subject (a feature, for the indicators
-- measured from samples). Open while the evaluator sees it, resolved the first evaluation it does
-- not; at most one open finding per indicator and subject.
CREATE TABLE findings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('capacity', 'bottleneck')),
    name         text NOT NULL,                 -- response-time, error-rate
    subject      text NOT NULL,                 -- what it is about: the feature
    severity     text NOT NULL CHECK (severity IN ('warning', 'critical', 'emergency')),
    value        double precision NOT NULL,     -- the indicator when last seen
    threshold    double precision NOT NULL,     -- the level it passed
    remediation  text NOT NULL,
    opened_at    timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    resolved_at  timestamptz
);
CREATE UNIQUE INDEX findings_open ON findings (name, subject) WHERE resolved_at IS NULL;
CREATE INDEX findings_resolved ON findings (resolved_at DESC) WHERE resolved_at IS NOT NULL;
