package dev.fleet.client;

import java.time.Duration;

/**
 * Entry point of the runner client: one per process, shared by all threads.
 *
 * <pre>{@code
 * try (FleetClient fleet = new FleetClient(FleetClientConfig.local(token))) {
 *     RegisteredRunner me = fleet.sessions().register(new RunnerRegistration("llm", "http://10.0.0.5:9100",
 *             null, 4, null, Map.of(), "1.0"));
 *     for (ClaimedJob job : fleet.queue().claim("llm", me.id(), 4, Duration.ofSeconds(5))) {
 *         fleet.queue().complete(job, resultOf(job));
 *     }
 * }
 * }</pre>
 */
public final class FleetClient implements AutoCloseable {

    private final FleetClientConfig config;
    private final Transport transport;
    private final QueueClient queue;
    private final SessionClient sessions;
    private final JobResults results;

    public FleetClient(FleetClientConfig config) {
        this.config = config;
        this.transport = new Transport(config.token(), config.connectTimeout(), config.requestTimeout());
        this.queue = new QueueClient(transport, config.queueUrl(), config.retry());
        this.sessions = new SessionClient(transport, config.sessionUrl(), config.retry());
        this.results = config.queueUrl() == null ? null : new JobResults(transport, config.queueUrl(), config.retry());
    }

    public QueueClient queue() {
        return queue;
    }

    public SessionClient sessions() {
        return sessions;
    }

    /** Waiting for jobs' outcomes as a producer ({@code awaitResult}). */
    public JobResults results() {
        if (results == null) {
            throw new IllegalStateException("no queue URL configured");
        }
        return results;
    }

    /** Default samples kept per feature and second by a reporter ({@link #telemetry}). */
    public static final int TELEMETRY_MAX_PER_SECOND_DEFAULT = 200;

    /**
     * A reporter sending samples under {@code source} (e.g. the runner id) every {@code flushEvery},
     * at most {@code maxBatch} per request, holding at most {@code maxBuffered} in memory, keeping
     * at most {@link #TELEMETRY_MAX_PER_SECOND_DEFAULT} samples per feature and second.
     */
    public TelemetryReporter telemetry(String source, Duration flushEvery, int maxBatch, int maxBuffered) {
        return telemetry(source, flushEvery, maxBatch, maxBuffered, TELEMETRY_MAX_PER_SECOND_DEFAULT);
    }

    /** As {@link #telemetry(String, Duration, int, int)}, keeping at most {@code maxPerSecond} (0: all) per feature and second. */
    public TelemetryReporter telemetry(String source, Duration flushEvery, int maxBatch, int maxBuffered,
            int maxPerSecond) {
        if (config.telemetryUrl() == null) {
            throw new IllegalStateException("no telemetry URL configured");
        }
        // One try per flush: a batch that fails waits in the buffer for the next one.
        RetryPolicy once = config.retry().withGiveUpAfter(Duration.ZERO);
        return new TelemetryReporter(transport, config.telemetryUrl(), once, source, flushEvery, maxBatch, maxBuffered,
                maxPerSecond);
    }

    /** Ends retries in progress (they throw {@link java.util.concurrent.CancellationException}). */
    @Override
    public void close() {
        transport.close();
    }
}
