package dev.fleet.session.session;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes back new sessions whose placement did not finish. A create records the session on its
 * runner first (the slot is taken then) and gives it resources and its start operation in a second
 * transaction; a session in {@code starting} with no operation at all is one whose second step
 * failed or whose replica died in between. It is deleted, as if never created, and its slot given
 * back: by the create itself when its second step fails, and by a sweep for the rest.
 */
@Singleton
public class HalfPlacedSessions {

    /** A create's two steps take milliseconds; a session left half-placed this long ago was abandoned. */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);

    // The runner counts go down by how many sessions each lost (one UPDATE row per runner).
    private static final String TAKE_BACK = """
            WITH gone AS (
                DELETE FROM session.sessions s
                WHERE s.state = 'starting' AND ($1::uuid IS NULL OR s.id = $1) AND ($2::timestamptz IS NULL OR s.created_at < $2)
                  AND NOT EXISTS (SELECT 1 FROM session.operations o WHERE o.target = s.id)
                RETURNING s.runner_id),
            per_runner AS (SELECT runner_id, count(*)::int AS n FROM gone GROUP BY runner_id)
            UPDATE session.runners r SET live_sessions = greatest(r.live_sessions - per_runner.n, 0)
            FROM per_runner WHERE r.id = per_runner.runner_id
            RETURNING per_runner.n""";

    /** Takes back one session if its placement did not finish; nothing when it did. */
    public Uni<Void> takeBack(SqlClient client, UUID session) {
        return client.preparedQuery(TAKE_BACK).execute(Tuple.of(session, null)).replaceWithVoid();
    }

    /** Takes back the sessions left half-placed before {@code now - ABANDONED_AFTER}; returns how many. */
    public Uni<Integer> sweep(SqlClient client, Instant now) {
        return client.preparedQuery(TAKE_BACK).execute(Tuple.of(null, Timestamps.param(now.minus(ABANDONED_AFTER))))
                .map(rows -> {
                    int taken = 0;
                    for (var row : rows) {
                        taken += row.getInteger("n");
                    }
                    return taken;
                });
    }
}
