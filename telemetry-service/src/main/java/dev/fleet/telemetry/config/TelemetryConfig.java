package dev.fleet.telemetry.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * telemetry-service settings ({@code fleet.telemetry.*}): the guardrails of ingest and queries,
 * and how long samples are kept.
 */
@ConfigMapping(prefix = "fleet.telemetry")
public interface TelemetryConfig {

    /** Most samples in one ingest request (400 limit-exceeded beyond). */
    @WithDefault("1000")
    int maxBatch();

    /** Largest {@code attributes} object of one sample, in bytes of JSON (422 beyond). */
    @WithDefault("4096")
    int maxAttributesBytes();

    /** How far in the future a sample's {@code at} may lie (reporters' clocks drift); 422 beyond. */
    @WithDefault("5m")
    Duration maxClockSkew();

    /** Most samples one listing returns ({@code limit}; 400 limit-exceeded beyond). */
    @WithDefault("1000")
    int maxPerQuery();

    /** How long samples are kept, counted from their {@code at}. */
    @WithDefault("7d")
    Duration retention();

    /** How often retention runs. */
    @WithDefault("1m")
    Duration retentionInterval();

    /** Rows one retention statement deletes (small batches never hold locks long). */
    @WithDefault("10000")
    int retentionBatch();

    /**
     * A {@code GET /samples/summary} window longer than this reads the per-minute rollups instead of
     * the raw samples (at most {@code retention}, checked at start).
     */
    @WithDefault("1d")
    Duration summaryFromRollupsAfter();

    /** How long per-minute rollups are kept (much longer than the raw samples). */
    @WithDefault("90d")
    Duration rollupRetention();

    /** How often the closed minutes are rolled up. */
    @WithDefault("30s")
    Duration rollupInterval();

    /**
     * How late samples may arrive and still count in their minute's rollup: each run rolls up again
     * every closed minute this recent. Samples older than this when they arrive stay out of rollups.
     */
    @WithDefault("2m")
    Duration rollupLateness();
}
