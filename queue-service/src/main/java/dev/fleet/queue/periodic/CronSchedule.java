package dev.fleet.queue.periodic;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import dev.fleet.platform.problem.ProblemException;

/**
 * A standard 5-field Unix cron expression evaluated in an IANA time zone, as a sequence of tick
 * instants. Ticks are instants, so daylight saving time is handled by the zone: {@code 0 9 * * *}
 * in {@code Europe/Berlin} ticks at 08:00Z in winter and 07:00Z in summer; a wall-clock time that
 * a spring-forward jump skips does not tick that day; a time the fall-back hour repeats ticks once.
 *
 * <p>Parsing uses cron-utils (whose parser is thread-safe, so one is shared). Nicknames such as
 * {@code @daily}, seconds and Quartz extensions ({@code L}, {@code #}, {@code ?}) are refused: the
 * trade-off is one unsurprising dialect instead of several almost-compatible ones.
 */
final class CronSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();
    /** Bounds the walk to the latest due tick should cron-utils' backward search ever land short of it. */
    private static final int MAX_FORWARD_STEPS = 1000;

    private final ExecutionTime execution;
    private final ZoneId zone;

    private CronSchedule(ExecutionTime execution, ZoneId zone) {
        this.execution = execution;
        this.zone = zone;
    }

    /**
     * @throws ProblemException 422 naming {@code cron} (quoting the parser's complaint) or
     *         {@code timeZone}
     */
    static CronSchedule parse(String cron, String timeZone) {
        ExecutionTime execution;
        try {
            execution = ExecutionTime.forCron(PARSER.parse(cron.trim()).validate());
        } catch (RuntimeException e) {
            throw ProblemException.invalidField("cron", "'" + cron + "' is not a 5-field Unix cron expression"
                    + " (minute hour day-of-month month day-of-week): " + e.getMessage())
                    .with("value", cron);
        }
        ZoneId zone = zone(timeZone);
        CronSchedule schedule = new CronSchedule(execution, zone);
        if (schedule.nextAfter(Instant.now()).isEmpty()) {
            throw ProblemException.invalidField("cron", "'" + cron + "' never fires (no such date).")
                    .with("value", cron);
        }
        return schedule;
    }

    /** For stored definitions, which were validated on the way in; empty if one no longer parses. */
    static Optional<CronSchedule> tryParse(String cron, String timeZone) {
        try {
            return Optional.of(parse(cron, timeZone));
        } catch (ProblemException e) {
            return Optional.empty();
        }
    }

    /** An IANA zone id ({@code Europe/Berlin}, {@code UTC}); fixed offsets and abbreviations are refused. */
    static ZoneId zone(String timeZone) {
        if (timeZone == null || !ZONES.contains(timeZone)) {
            throw ProblemException.invalidField("timeZone",
                    "'" + timeZone + "' is not an IANA time zone id such as 'UTC' or 'Europe/Berlin'.")
                    .with("value", String.valueOf(timeZone));
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw ProblemException.invalidField("timeZone", "'" + timeZone + "' is not usable: " + e.getMessage());
        }
    }

    /** The first tick strictly after {@code instant}. */
    Optional<Instant> nextAfter(Instant instant) {
        return execution.nextExecution(instant.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /**
     * The latest tick at or before {@code now}, given {@code first}, a tick known to be at or
     * before {@code now}. cron-utils searches backwards for a candidate; walking forwards from it
     * with {@link #nextAfter} (the authority on what ticks) settles edge cases such as a tick at
     * exactly {@code now} or the repeated fall-back hour.
     */
    Instant latestAtOrBefore(Instant now, Instant first) {
        Instant latest = execution.lastExecution(now.atZone(zone)).map(ZonedDateTime::toInstant)
                .filter(candidate -> candidate.isAfter(first) && !candidate.isAfter(now))
                .orElse(first);
        for (int i = 0; i < MAX_FORWARD_STEPS; i++) {
            Optional<Instant> next = nextAfter(latest);
            if (next.isEmpty() || next.get().isAfter(now)) {
                break;
            }
            latest = next.get();
        }
        return latest;
    }
}
