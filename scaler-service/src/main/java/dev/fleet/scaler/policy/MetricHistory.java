package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Recent samples of one pool's metrics, and the question threshold rules ask of them: has a
 * metric been above (or below) a threshold continuously for at least a duration, as of now?
 *
 * <p>A sample's value holds from its instant until the next sample, but for at most
 * {@code maxGap}; older than that it says nothing. "Continuously for D as of now" therefore means
 * every instant of {@code [now − D, now]} is covered by a fresh sample that satisfies the
 * condition: the sample at or before {@code now − D} (so the history covers the window from its
 * start) and every later one up to {@code now} satisfy it, no two consecutive ones are more than
 * {@code maxGap} apart, and the newest is at most {@code maxGap} old. A missing or late sample
 * makes a rule wait rather than act on a guess. Samples after {@code now} are ignored, so an
 * answer depends only on the instant asked about.
 *
 * <p>Not thread-safe: one owner records and asks (the pool's evaluation loop).
 */
public final class MetricHistory {

    /** How often the scaler is expected to evaluate a pool (and so to receive samples). */
    public static final Duration EVALUATION_INTERVAL_DEFAULT = Duration.ofSeconds(15);
    /** Two evaluation intervals: one late sample is tolerated, two are not. */
    public static final Duration MAX_GAP_DEFAULT = EVALUATION_INTERVAL_DEFAULT.multipliedBy(2);

    private final Duration maxGap;
    private final Map<String, List<Sample>> series = new HashMap<>();

    public MetricHistory() {
        this(MAX_GAP_DEFAULT);
    }

    public MetricHistory(Duration maxGap) {
        if (maxGap == null || maxGap.isNegative() || maxGap.isZero()) {
            throw new IllegalArgumentException("maxGap: must be a positive duration, was " + maxGap);
        }
        this.maxGap = maxGap;
    }

    /** A history whose samples go stale after two evaluation intervals. */
    public static MetricHistory forEvaluationInterval(Duration interval) {
        return new MetricHistory(interval.multipliedBy(2));
    }

    public Duration maxGap() {
        return maxGap;
    }

    /** Adds a sample; out-of-order samples are put in their place. */
    public MetricHistory record(String metric, Instant at, double value) {
        Objects.requireNonNull(metric, "metric");
        Sample sample = new Sample(at, value);
        List<Sample> samples = series.computeIfAbsent(metric, m -> new ArrayList<>());
        if (samples.isEmpty() || !samples.get(samples.size() - 1).at().isAfter(at)) {
            samples.add(sample);
        } else {
            samples.add(indexAfter(samples, at), sample);
        }
        return this;
    }

    /** Whether {@code metric} has been {@code comparison} {@code threshold} for all of {@code [now − holdFor, now]}. */
    public boolean heldFor(String metric, Comparison comparison, double threshold, Duration holdFor, Instant now) {
        if (holdFor.isNegative()) {
            throw new IllegalArgumentException("holdFor: must not be negative, was " + holdFor);
        }
        List<Sample> samples = series.get(metric);
        if (samples == null) {
            return false;
        }
        int anchor = indexAfter(samples, now.minus(holdFor)) - 1;
        if (anchor < 0) {
            return false; // the history starts inside the window
        }
        int end = indexAfter(samples, now);
        Instant previous = samples.get(anchor).at();
        for (int i = anchor; i < end; i++) {
            Sample s = samples.get(i);
            if (!comparison.holds(s.value(), threshold) || tooFarApart(previous, s.at())) {
                return false;
            }
            previous = s.at();
        }
        return !tooFarApart(previous, now);
    }

    /** The newest value at or before {@code now}, if it is not older than {@code maxGap}. */
    public OptionalDouble latest(String metric, Instant now) {
        List<Sample> samples = series.get(metric);
        if (samples == null) {
            return OptionalDouble.empty();
        }
        int i = indexAfter(samples, now) - 1;
        if (i < 0 || tooFarApart(samples.get(i).at(), now)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(samples.get(i).value());
    }

    /** A copy of a metric's samples, oldest first (what a {@link SeasonalForecast} learns from). */
    public List<Sample> samples(String metric) {
        return List.copyOf(series.getOrDefault(metric, List.of()));
    }

    public Set<String> metrics() {
        return Set.copyOf(series.keySet());
    }

    /**
     * Drops samples older than {@code cutoff}. Keep at least the longest hold of any rule plus
     * {@code maxGap}: the sample just before a window is what proves the window covered.
     */
    public void forgetBefore(Instant cutoff) {
        for (List<Sample> samples : series.values()) {
            int keepFrom = indexAfter(samples, cutoff.minusNanos(1));
            samples.subList(0, keepFrom).clear();
        }
        series.values().removeIf(List::isEmpty);
    }

    private boolean tooFarApart(Instant earlier, Instant later) {
        return Duration.between(earlier, later).compareTo(maxGap) > 0;
    }

    /** Index of the first sample later than {@code t} (binary search; samples are kept sorted). */
    private static int indexAfter(List<Sample> samples, Instant t) {
        int lo = 0;
        int hi = samples.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (samples.get(mid).at().isAfter(t)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
