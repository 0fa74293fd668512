package dev.fleet.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Buffers performance samples and sends them to telemetry-service in batches, on a timer. The
 * buffer is bounded: telemetry is sampled data, so when telemetry-service is away long enough
 * to fill it, new samples are dropped and counted rather than growing the heap. Samples are first
 * sampled by the service's rules ({@code GET /sampling}, read at start and every
 * {@link #RULES_REFRESH}), then thinned to at most {@code maxPerSecond} per feature
 * ({@link SampleBudget}); a sample sent at a rate below 1 carries it as {@code attributes.sampleRate}.
 */
public final class TelemetryReporter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TelemetryReporter.class.getName());
    /** How often the sampling rules are read again. */
    public static final Duration RULES_REFRESH = Duration.ofMinutes(1);

    private final Transport transport;
    private final URI samples;
    private final URI sampling;
    private volatile SamplingRules rules = SamplingRules.ALL;
    private final AtomicLong sampledOut = new AtomicLong();
    private final RetryPolicy retry;
    private final String source;
    private final int maxBatch;
    private final BlockingQueue<TelemetrySample> buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final SampleBudget budget;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-telemetry").daemon().factory());

    TelemetryReporter(Transport transport, URI base, RetryPolicy retry, String source, Duration flushEvery, int maxBatch,
            int maxBuffered, int maxPerSecond) {
        this.budget = new SampleBudget(maxPerSecond);
        this.transport = transport;
        this.samples = base.resolve("/samples");
        this.sampling = base.resolve("/sampling");
        this.retry = retry;
        this.source = source;
        this.maxBatch = maxBatch;
        this.buffer = new ArrayBlockingQueue<>(maxBuffered);
        refreshRules();
        timer.scheduleWithFixedDelay(this::flushQuietly, flushEvery.toMillis(), flushEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::refreshRules, RULES_REFRESH.toMillis(), RULES_REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Reads the sampling rules; on failure keeps the ones it has (at first: send everything). */
    public void refreshRules() {
        try {
            SamplingRules read = transport.call("GET", sampling, null, Map.of(), SamplingRules.class, retry,
                    Duration.ZERO);
            if (read != null) {
                rules = read;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "sampling rules not read, keeping the current ones: " + e.getMessage());
        }
    }

    /** The rules applied now. */
    public SamplingRules rules() {
        return rules;
    }

    /** Records one sample now; never blocks. */
    public void record(String feature, Duration took, boolean ok, Map<String, Object> attributes) {
        Object capability = attributes == null ? null : attributes.get("capability");
        double rate = rules.rateFor(feature, capability == null ? null : capability.toString());
        if (rate > 0) {
            rate *= budget.keepRate(feature);
        }
        if (rate < 1) {
            if (ThreadLocalRandom.current().nextDouble() >= rate) {
                sampledOut.incrementAndGet();
                return;
            }
            Map<String, Object> withRate = attributes == null ? new HashMap<>() : new HashMap<>(attributes);
            withRate.put("sampleRate", rate);
            attributes = withRate;
        }
        TelemetrySample sample = new TelemetrySample(source, feature, took.toNanos() / 1e6, ok ? "ok" : "error",
                Instant.now(), attributes == null || attributes.isEmpty() ? null : attributes);
        if (!buffer.offer(sample)) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Sends everything buffered so far, in batches. A batch telemetry-service could not be reached
     * for goes back into the buffer for the next flush; one it refused is dropped (and counted).
     */
    public synchronized void flush() {
        while (!buffer.isEmpty()) {
            List<TelemetrySample> batch = new ArrayList<>(maxBatch);
            buffer.drainTo(batch, maxBatch);
            try {
                transport.call("POST", samples, Map.of("samples", batch), Map.of(), Void.class, retry, Duration.ZERO);
                sent.addAndGet(batch.size());
            } catch (FleetApiException refused) {
                dropped.addAndGet(batch.size());
                throw new IllegalStateException("telemetry batch refused, " + batch.size() + " samples dropped: "
                        + refused.getMessage(), refused);
            } catch (RuntimeException e) {
                int lost = requeue(batch);
                throw new IllegalStateException("telemetry batch not delivered, " + (lost == 0 ? "kept for the next"
                        + " flush" : lost + " samples dropped (buffer full)") + ": " + e.getMessage(), e);
            }
        }
    }

    /** Samples delivered so far. */
    public long sent() {
        return sent.get();
    }

    /** Samples not sent because the sampling rules or the per-feature budget left them out. */
    public long sampledOut() {
        return sampledOut.get();
    }

    /** Samples dropped because the buffer was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Stops the timer and sends what is left (one try per batch). */
    @Override
    public void close() {
        timer.shutdownNow();
        flushQuietly();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    /** Puts an undelivered batch back for the next flush, as far as there is room; returns how many did not fit. */
    private int requeue(List<TelemetrySample> batch) {
        int lost = 0;
        for (TelemetrySample sample : batch) {
            if (!buffer.offer(sample)) {
                lost++;
            }
        }
        dropped.addAndGet(lost);
        return lost;
    }
}
