package dev.fleet.session.session;

import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.config.SessionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Picks the runner a session goes to and keeps each runner's count of live sessions: a healthy,
 * non-draining runner of the pool with a free slot and every required label, least loaded first
 * (live sessions per slot, then reported CPU). The chosen row is locked and re-checked by
 * PostgreSQL before its count goes up, so concurrent placements never overfill a runner; they
 * wait on each other briefly instead of skipping, so a lone free slot is never missed.
 */
@Singleton
public class Placement {

    /** Where a session was placed. */
    public record Placed(UUID runnerId, String host) {
    }

    // The least loaded matching runner with a free slot ($1 pool, $2 labels, $3 excluded, $4 the only
    // one allowed), locked; and taking one of its slots.
    static final String CHOOSE = """
            SELECT id FROM session.runners
            WHERE pool = $1 AND health = 'healthy' AND NOT draining AND live_sessions < max_sessions
              AND labels @> $2 AND ($3::uuid IS NULL OR id <> $3) AND ($4::uuid IS NULL OR id = $4)
            ORDER BY live_sessions::float8 / max_sessions, coalesce(cpu_percent, 0), id
            LIMIT 1 FOR UPDATE""";
    static final String TAKE_SLOT = "UPDATE session.runners r SET live_sessions = r.live_sessions + 1,"
            + " sessions_total = r.sessions_total + 1 FROM chosen WHERE r.id = chosen.id RETURNING r.id, r.host";

    private static final String PLACE = "WITH chosen AS (" + CHOOSE + ") " + TAKE_SLOT;

    private static final String ANY_CANDIDATE = "SELECT EXISTS (SELECT 1 FROM session.runners WHERE pool = $1"
            + " AND health = 'healthy' AND NOT draining AND labels @> $2) AS any";

    private static final String UNPLACE = "UPDATE session.runners SET live_sessions = greatest(live_sessions - 1, 0),"
            + " failures_total = failures_total + CASE WHEN $2 THEN 1 ELSE 0 END WHERE id = $1";

    private final SessionConfig config;

    Placement(SessionConfig config) {
        this.config = config;
    }

    /** Takes a slot on a matching runner, other than {@code exclude} and, if given, exactly {@code only}. */
    public Uni<Optional<Placed>> place(SessionTx tx, String pool, JsonObject labels, UUID exclude, UUID only) {
        return tx.conn().preparedQuery(PLACE).execute(Tuple.of(pool, labels, exclude, only)).map(Placement::placed);
    }

    /** The runner a placing statement returned ({@code id}, {@code host}), if it found one. */
    static Optional<Placed> placed(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        return Optional.of(new Placed(row.getUUID("id"), row.getString("host")));
    }

    /** Gives a runner's slot back; {@code failed} counts a failure against it. */
    public Uni<Void> unplace(SessionTx tx, UUID runner, boolean failed) {
        return tx.conn().preparedQuery(UNPLACE).execute(Tuple.of(runner, failed)).replaceWithVoid();
    }

    /**
     * The refusal when nothing could take the session: 429 when matching runners exist but are full
     * (try again soon), 503 when none is healthy at all (the pool must grow or recover first).
     */
    public <T> Uni<T> refuse(SessionTx tx, String pool, JsonObject labels) {
        return tx.conn().preparedQuery(ANY_CANDIDATE).execute(Tuple.of(pool, labels))
                .map(rows -> rows.iterator().next().getBoolean("any")
                        ? ProblemException.tooManyRequests("pool-full", "Every healthy runner of pool " + pool
                                + " matching labels " + labels.encode() + " is at capacity; retry later or create"
                                + " the session with waitForRunner=true to queue it.", config.placementRetryAfter())
                        : ProblemException.unavailable("no-runner", "No healthy, non-draining runner of pool " + pool
                                + " has labels " + labels.encode() + ".", config.placementRetryAfter()))
                .chain(problem -> Uni.createFrom().failure(problem.with("pool", pool)));
    }
}
