package dev.fleet.scaler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The expected value of a metric by time of season, learned from stored samples: the season
 * (a day, a week) is cut into equal slots (an hour by default, so hour-of-week), and the forecast
 * for an instant is the plain average of every sample that fell into its slot in past seasons.
 *
 * <p>Deliberately simple, so that an operator can check it: {@link #slots()} lists each slot's
 * average and sample count, and a forecast is exactly one of them. It captures a repeating daily
 * or weekly shape and nothing else (no trend, no holidays). Seasons are in UTC and start on a
 * Monday at 00:00 UTC, so weekly slot 0 is Monday 00:00–01:00 UTC; a peak that follows local time
 * drifts by an hour across a daylight-saving change. Samples are weighted equally, so slots
 * sampled more densely do not count for more in time, only in confidence.
 */
public final class SeasonalForecast {

    public static final Duration DAILY = Duration.ofDays(1);
    public static final Duration WEEKLY = Duration.ofDays(7);
    public static final Duration SEASON_DEFAULT = WEEKLY;
    public static final Duration SLOT_DEFAULT = Duration.ofHours(1);
    /** Keeps the arrays small: a minute-of-week (10,080 slots) is fine, a second-of-week is not. */
    static final int MAX_SLOTS = 100_000;

    /** Monday 1970-01-05T00:00Z, where every season starts. */
    private static final Instant SEASON_START = Instant.parse("1970-01-05T00:00:00Z");

    private final String metric;
    private final Duration season;
    private final Duration slot;
    private final double[] sums;
    private final int[] counts;

    private SeasonalForecast(String metric, Duration season, Duration slot) {
        this.metric = metric;
        this.season = season;
        this.slot = slot;
        int n = (int) (season.toMillis() / slot.toMillis());
        this.sums = new double[n];
        this.counts = new int[n];
    }

    /** Hour-of-week averages of {@code samples}. */
    public static SeasonalForecast learn(String metric, Collection<Sample> samples) {
        return learn(metric, samples, SEASON_DEFAULT, SLOT_DEFAULT);
    }

    public static SeasonalForecast learn(String metric, Collection<Sample> samples, Duration season, Duration slot) {
        Objects.requireNonNull(metric, "metric");
        if (slot == null || slot.toMillis() <= 0) {
            throw new IllegalArgumentException("slot: must be at least 1 ms, was " + slot);
        }
        if (season == null || season.toMillis() <= 0 || season.toMillis() % slot.toMillis() != 0) {
            throw new IllegalArgumentException("season: must be a positive whole number of slots (" + slot + "), was " + season);
        }
        if (season.toMillis() / slot.toMillis() > MAX_SLOTS) {
            throw new IllegalArgumentException("slot: at most " + MAX_SLOTS + " slots per season, "
                    + season + " / " + slot + " is more");
        }
        SeasonalForecast f = new SeasonalForecast(metric, season, slot);
        for (Sample s : samples) {
            int i = f.slotOf(s.at());
            f.sums[i] += s.value();
            f.counts[i]++;
        }
        return f;
    }

    /** The average of {@code at}'s slot; empty if no sample ever fell into it. */
    public OptionalDouble forecast(Instant at) {
        int i = slotOf(at);
        return counts[i] == 0 ? OptionalDouble.empty() : OptionalDouble.of(sums[i] / counts[i]);
    }

    /** The highest slot average over {@code [from, to]} (every slot the interval touches). */
    public OptionalDouble peak(Instant from, Instant to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to: must not be before from");
        }
        long slotMs = slot.toMillis();
        long first = offsetMillis(from) / slotMs;
        long last = (offsetMillis(from) + Duration.between(from, to).toMillis()) / slotMs;
        long n = Math.min(last - first + 1, sums.length);
        OptionalDouble peak = OptionalDouble.empty();
        for (long k = 0; k < n; k++) {
            int i = (int) ((first + k) % sums.length);
            if (counts[i] > 0 && (peak.isEmpty() || sums[i] / counts[i] > peak.getAsDouble())) {
                peak = OptionalDouble.of(sums[i] / counts[i]);
            }
        }
        return peak;
    }

    /** Every slot in season order, with its start within the season, sample count and average (NaN if none). */
    public List<Slot> slots() {
        List<Slot> slots = new ArrayList<>(sums.length);
        for (int i = 0; i < sums.length; i++) {
            slots.add(new Slot(i, slot.multipliedBy(i), counts[i], counts[i] == 0 ? Double.NaN : sums[i] / counts[i]));
        }
        return slots;
    }

    /** The slot index of {@code at}: 0 … slots − 1. */
    public int slotOf(Instant at) {
        return (int) (offsetMillis(at) / slot.toMillis());
    }

    public String metric() {
        return metric;
    }

    public Duration season() {
        return season;
    }

    public Duration slot() {
        return slot;
    }

    private long offsetMillis(Instant at) {
        return Math.floorMod(Duration.between(SEASON_START, at).toMillis(), season.toMillis());
    }

    /** One slot: {@code start} is its offset from the season's start (Monday 00:00 UTC). */
    public record Slot(int index, Duration start, int samples, double average) {
    }
}
