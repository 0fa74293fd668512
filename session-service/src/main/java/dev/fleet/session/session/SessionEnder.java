package dev.fleet.session.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** Ends, in {@code error}, the live sessions of a runner that left or went silent. */
@Singleton
public class SessionEnder {

    private static final String OF_RUNNER = "SELECT * FROM session.sessions WHERE runner_id = $1"
            + " AND state IN " + SessionState.PLACED_SQL + " ORDER BY id FOR UPDATE";

    // A runner row that no longer exists counts as silent too.
    private static final String STALE = "SELECT s.* FROM session.sessions s"
            + " LEFT JOIN session.runners r ON r.id = s.runner_id"
            + " WHERE s.state IN " + SessionState.PLACED_SQL + " AND (r.id IS NULL OR r.last_heartbeat_at <= $1)"
            + " ORDER BY s.id LIMIT $2 FOR UPDATE OF s SKIP LOCKED";

    private final SessionStore store;

    SessionEnder(SessionStore store) {
        this.store = store;
    }

    public Uni<Integer> endSessionsOfRunner(SessionTx tx, UUID runner, String reason) {
        return tx.conn().preparedQuery(OF_RUNNER).execute(Tuple.of(runner)).chain(rows -> endAll(tx, rows, reason));
    }

    /** Sessions whose runner's last heartbeat is at or before {@code silentSince}: "runner connection lost". */
    public Uni<Integer> endStaleSessions(SessionTx tx, Instant silentSince, int batch) {
        return tx.conn().preparedQuery(STALE).execute(Tuple.of(Timestamps.param(silentSince), batch))
                .chain(rows -> endAll(tx, rows, "runner connection lost"));
    }

    private Uni<Integer> endAll(SessionTx tx, RowSet<Row> rows, String reason) {
        List<SessionRow> sessions = new ArrayList<>();
        rows.forEach(row -> sessions.add(SessionRow.from(row)));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SessionRow session : sessions) {
            chain = chain.chain(() -> store.end(tx, session, SessionState.error, reason, null));
        }
        return chain.replaceWith(sessions.size());
    }
}
