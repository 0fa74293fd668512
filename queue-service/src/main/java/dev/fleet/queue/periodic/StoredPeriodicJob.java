package dev.fleet.queue.periodic;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

import dev.fleet.queue.job.Priority;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A definition as stored, with its schedule's position. The timestamps keep PostgreSQL's exact
 * values (microseconds) because the enqueuer compares them in its compare-and-set: a
 * {@code last_tick_at} or {@code updated_at} that changed since it was read means another replica
 * or an API call got there first.
 */
record StoredPeriodicJob(PeriodicJob definition, OffsetDateTime lastTickAt, OffsetDateTime ticksAfter,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** The columns {@link #from} reads. */
    static final String COLUMNS = "name, queue, kind, payload::text AS payload, priority, cron, time_zone,"
            + " missed_policy, enabled, last_tick_at, ticks_after, created_at, updated_at";

    static StoredPeriodicJob from(Row row) {
        PeriodicJob definition = new PeriodicJob(row.getString("name"), row.getString("queue"), row.getString("kind"),
                row.getString("payload"), Priority.of(row.getShort("priority")), row.getString("cron"),
                row.getString("time_zone"), MissedPolicy.fromValue(row.getString("missed_policy")),
                row.getBoolean("enabled"));
        return new StoredPeriodicJob(definition, row.getOffsetDateTime("last_tick_at"),
                row.getOffsetDateTime("ticks_after"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }

    /** Ticks after this instant are the ones still to handle. */
    Instant tickBase() {
        Instant after = ticksAfter.toInstant();
        return lastTickAt == null || lastTickAt.toInstant().isBefore(after) ? after : lastTickAt.toInstant();
    }

    /** The next tick to handle; empty while disabled (or if the stored cron no longer parses). */
    Optional<Instant> nextTickAt() {
        if (!definition.enabled()) {
            return Optional.empty();
        }
        return CronSchedule.tryParse(definition.cron(), definition.timeZone()).flatMap(s -> s.nextAfter(tickBase()));
    }

    PeriodicJobView view() {
        PeriodicJob d = definition;
        return new PeriodicJobView(d.name(), d.queue(), d.kind(), d.payloadJson(), d.priority(), d.cron(), d.timeZone(),
                d.missedPolicy(), d.enabled(), lastTickAt == null ? null : lastTickAt.toInstant(),
                nextTickAt().orElse(null), createdAt.toInstant(), updatedAt.toInstant());
    }
}
