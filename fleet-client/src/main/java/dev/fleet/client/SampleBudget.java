package dev.fleet.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Caps how many samples of one feature a reporter keeps per second, whatever the event rate: at
 * 10,000 jobs a second a runner keeps about {@code perSecond} of their samples, each carrying the
 * probability it was kept with, so weighted figures (telemetry-service's SLOs weigh each sample by
 * 1 / {@code sampleRate}) stay unbiased while telemetry costs a bounded amount. The probability
 * for an event is {@code perSecond} over the larger of the events seen so far this second and
 * those of the whole last second: a steady rate is thinned evenly, a sudden burst from its start.
 */
final class SampleBudget {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private static final class Window {
        long startedNanos;
        long seen;
        long seenLastSecond;

        Window(long now) {
            startedNanos = now;
        }
    }

    private final int perSecond;
    private final LongSupplier nanoTime;
    private final Map<String, Window> byFeature = new ConcurrentHashMap<>();

    /** @param perSecond samples kept per feature and second; 0 keeps every one */
    SampleBudget(int perSecond) {
        this(perSecond, System::nanoTime);
    }

    SampleBudget(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("perSecond ≥ 0");
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
    }

    /** Counts one event of {@code feature} and answers the probability (0–1] with which to keep it. */
    double keepRate(String feature) {
        if (perSecond == 0) {
            return 1;
        }
        Window window = byFeature.computeIfAbsent(feature, f -> new Window(nanoTime.getAsLong()));
        long load;
        synchronized (window) {
            long now = nanoTime.getAsLong();
            long elapsed = now - window.startedNanos;
            if (elapsed >= SECOND_NANOS) {
                // A gap of more than one second means the last second saw nothing.
                window.seenLastSecond = elapsed >= 2 * SECOND_NANOS ? 0 : window.seen;
                window.seen = 0;
                window.startedNanos = now;
            }
            load = Math.max(++window.seen, window.seenLastSecond);
        }
        return load <= perSecond ? 1 : (double) perSecond / load;
    }
}
