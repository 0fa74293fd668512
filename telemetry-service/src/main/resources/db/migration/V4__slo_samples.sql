-- SLOs read the samples that carry a priority class (job and gateway samples) over a window of "at".
CREATE INDEX samples_with_priority_at ON samples (at) WHERE attributes ? 'priority';
