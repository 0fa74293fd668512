-- Which indicators held (a bottleneck signature: "2 of 3: cpu, response-time") or how long (a
-- capacity indicator read from another service: "held for 5m"); null when the value says it all.
-- Subjects now also name runners (endpoint), pools and queues besides features.
ALTER TABLE findings ADD COLUMN detail text;
