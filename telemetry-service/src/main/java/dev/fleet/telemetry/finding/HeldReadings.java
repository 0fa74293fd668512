package dev.fleet.telemetry.finding;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Singleton;

/**
 * The "for 5 m" of the alert rules for the indicators read from other services (runner CPU and
 * memory, queue depth, healthy share): a reading counts once the indicator has been at or past its
 * warning level in every evaluation across its {@code hold}, at the level of its least bad reading
 * in that span. One reading back to fine clears it at once (as Prometheus resolves an alert).
 * <p>
 * Kept in memory, per replica: a replica that just started has no history, so while a reading is
 * past warning but not yet held it is <em>pending</em>, which neither opens nor resolves. A restart,
 * or two replicas with different histories, can therefore never resolve a finding that still holds.
 * Series of subjects an input no longer lists are forgotten, so memory follows the fleet's size.
 */
@Singleton
class HeldReadings {

    enum State { FINE, PENDING, HELD }

    /** What a reading amounts to; level and value are set only when HELD. */
    record Observation(State state, IndicatorLevels.Level level, double value) {
    }

    private record Key(String name, String subject) {
    }

    private record Reading(Instant at, double value) {
    }

    private static final class Series {
        final Instant since;
        final List<Reading> readings = new ArrayList<>();

        Series(Instant since) {
            this.since = since;
        }
    }

    private static final Observation FINE = new Observation(State.FINE, null, Double.NaN);
    private static final Observation PENDING = new Observation(State.PENDING, null, Double.NaN);

    private final Map<Key, Series> series = new HashMap<>();

    synchronized Observation observe(String name, String subject, double value, IndicatorLevels levels,
            Duration hold, Instant now) {
        Key key = new Key(name, subject);
        if (levels.level(value) == null) {
            series.remove(key);
            return FINE;
        }
        Series s = series.computeIfAbsent(key, k -> new Series(now));
        s.readings.add(new Reading(now, value));
        // keep the readings of the last hold, and the one before them (it held until the next one)
        Instant start = now.minus(hold);
        while (s.readings.size() > 1 && !s.readings.get(1).at().isAfter(start)) {
            s.readings.removeFirst();
        }
        if (Duration.between(s.since, now).compareTo(hold) < 0) {
            return PENDING;
        }
        double least = s.readings.stream().mapToDouble(Reading::value).reduce(levels::leastBad).orElse(value);
        return new Observation(State.HELD, levels.level(least), least);
    }

    /** Drops the series of {@code name} whose subject the input no longer lists. */
    synchronized void forgetOthers(String name, Set<String> subjects) {
        series.keySet().removeIf(k -> k.name().equals(name) && !subjects.contains(k.subject()));
    }
}
