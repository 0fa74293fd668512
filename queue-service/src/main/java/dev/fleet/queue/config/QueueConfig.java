package dev.fleet.queue.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * queue-service settings ({@code fleet.queue.*}). The {@code default-*} keys are the settings a
 * queue gets when it is created on first use; each queue can change its own by API.
 */
@ConfigMapping(prefix = "fleet.queue")
public interface QueueConfig {

    /** Largest job payload, in bytes of JSON (413 beyond). */
    @WithDefault("262144")
    int maxPayloadBytes();

    /** Most jobs in one batch enqueue, or one batch heartbeat/complete/fail request (413 beyond). */
    @WithDefault("1000")
    int maxBatchSize();

    /** Most jobs one claim may ask for. */
    @WithDefault("500")
    int maxClaim();

    /** Longest a claim may wait (long-poll) for work. */
    @WithDefault("30s")
    Duration maxClaimWait();

    /** Most claims waiting at once in this replica; more get 429 with Retry-After. */
    @WithDefault("2000")
    int maxWaitingClaims();

    /** Most producers waiting at once for a job's result in this replica ({@code GET /jobs/{id}?waitMs}, outcome streams); more get 429. */
    @WithDefault("2000")
    int maxWaitingResults();

    /** A waiting producer re-reads its job this often even without a notification (finishes by maintenance). */
    @WithDefault("1s")
    Duration resultRecheck();

    /** An outcome stream ({@code GET /queues/{queue}/outcomes}) that sent nothing this long ends. */
    @WithDefault("300s")
    Duration outcomeStreamIdleTimeout();

    /**
     * How long a replica trusts its cached copy of a queue's settings on the claim path. Changes
     * drop it at once (this replica's, and other replicas' by NOTIFY); this bounds staleness
     * only when a notification is lost. 0 disables the cache (every claim reads the queue row).
     */
    @WithDefault("1s")
    Duration settingsCacheTtl();

    /** Largest page of a job or dead-letter listing. */
    @WithDefault("500")
    int maxPageSize();

    /** Most dead jobs one bulk replay or purge handles; the answer says when more match. */
    @WithDefault("10000")
    int maxBulk();

    /** Default attempts before a job goes dead. */
    @WithDefault("3")
    int defaultMaxAttempts();

    /** Default first retry delay; doubles per attempt, jittered. */
    @WithDefault("1s")
    Duration defaultBackoffBase();

    /** Default longest retry delay. */
    @WithDefault("5m")
    Duration defaultBackoffMax();

    /** Default lease a claim grants; heartbeats extend it by the same amount. */
    @WithDefault("30s")
    Duration defaultLease();

    /** Default TTL of P0-P1 jobs not yet started. */
    @WithDefault("5m")
    Duration defaultTtlUrgent();

    /** Default TTL of P2-P4 jobs not yet started. */
    @WithDefault("1h")
    Duration defaultTtlNormal();

    /** Default TTL of P5-P6 jobs not yet started. */
    @WithDefault("24h")
    Duration defaultTtlBackground();

    /** An available job waiting longer than this is raised one priority level, and again after each further wait. */
    @WithDefault("5m")
    Duration agingAfter();

    /** How often due scheduled/retrying jobs become available and jobs age. */
    @WithDefault("1s")
    Duration scheduleInterval();

    /** How often expired leases are rescued and jobs past their TTL expire. */
    @WithDefault("1s")
    Duration rescueInterval();

    /** How often waiting claims re-check without a notification (the safety net for a lost NOTIFY). */
    @WithDefault("5s")
    Duration sweepInterval();

    /** How long succeeded and cancelled jobs are kept. */
    @WithDefault("24h")
    Duration retention();

    /** How long dead jobs are kept for inspection and replay. */
    @WithDefault("7d")
    Duration deadRetention();

    /** Rows deleted per retention batch (small batches never hold locks long). */
    @WithDefault("1000")
    int retentionBatchSize();

    /** How often retention runs. */
    @WithDefault("1m")
    Duration retentionInterval();

    /** How often periodic (cron) jobs are checked for due ticks. */
    @WithDefault("1s")
    Duration periodicInterval();

    /** How often queue depth gauges are refreshed. */
    @WithDefault("5s")
    Duration metricsInterval();
}
