package dev.fleet.session.operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.session.SessionTx;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads and writes {@code session.operations}. Callers hold the target session's row lock before
 * they change one of its operations, so a session's operations change one transaction at a time
 * and always in the order session → operation (no deadlocks between report and request paths).
 */
@Singleton
public class OperationStore {

    private static final String INSERT = "INSERT INTO session.operations (id, kind, target, runner_id, metadata,"
            + " created_at, updated_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING "
            + OperationView.COLUMNS;

    private static final String FIND = "SELECT " + OperationView.COLUMNS + " FROM session.operations WHERE id = $1";

    private static final String LOCK = FIND + " FOR UPDATE";

    private static final String OPEN_FOR_TARGET = "SELECT " + OperationView.COLUMNS + " FROM session.operations"
            + " WHERE target = $1 AND NOT done ORDER BY created_at LIMIT 1";

    private static final String FINISH = "UPDATE session.operations SET done = true, updated_at = $2, result = $3,"
            + " error_code = $4, error = $5, progress = CASE WHEN $4::text IS NULL THEN 100 ELSE progress END"
            + " WHERE id = $1 AND NOT done RETURNING " + OperationView.COLUMNS;

    private static final String ABORT_OPEN = "UPDATE session.operations SET done = true, updated_at = $3,"
            + " error_code = 'ABORTED', error = $4 WHERE target = $1 AND NOT done AND ($2::uuid IS NULL OR id <> $2)"
            + " RETURNING " + OperationView.COLUMNS;

    private static final String ASSIGN = "UPDATE session.operations SET runner_id = $2, deadline = $3, updated_at = $4,"
            + " metadata = metadata || $5 WHERE id = $1 RETURNING " + OperationView.COLUMNS;

    private static final String PROGRESS = "UPDATE session.operations SET progress = greatest(progress, $2),"
            + " metadata = metadata || $3, updated_at = $4 WHERE id = $1 AND NOT done RETURNING " + OperationView.COLUMNS;

    private static final String RECENT_RESTARTS = "SELECT created_at FROM session.operations"
            + " WHERE target = $1 AND kind = 'restart' AND metadata ->> 'component' = $2 AND created_at > $3"
            + " AND error_code IS DISTINCT FROM 'RESOURCE_EXHAUSTED' ORDER BY created_at DESC";

    public Uni<OperationView> insert(SessionTx tx, OperationKind kind, UUID target, UUID runner, JsonObject metadata,
            Instant deadline) {
        return tx.conn().preparedQuery(INSERT).execute(Tuple.from(new Object[] { UUID.randomUUID(), kind.name(), target,
                runner, metadata, Timestamps.param(tx.now()), Timestamps.param(deadline) }))
                .map(rows -> announce(tx, one(rows)));
    }

    /**
     * Tells the replica holding the runner's channel (any replica may) that work waits for it:
     * {@code {"event": "operation", "runner", "operation"}} on {@code fleet_session}, sent at commit;
     * this replica pushes it itself right after the commit if it holds that channel.
     */
    private static OperationView announce(SessionTx tx, OperationView op) {
        if (op.runnerId() != null && !op.done()) {
            tx.notifications().add(Channel.SESSION, new JsonObject().put("event", "operation")
                    .put("runner", op.runnerId().toString()).put("operation", op.id().toString()));
            tx.handedOut().add(op);
        }
        return op;
    }

    public Uni<Optional<OperationView>> find(io.vertx.mutiny.sqlclient.SqlClient client, UUID id) {
        return client.preparedQuery(FIND).execute(Tuple.of(id)).map(OperationStore::first);
    }

    /** The operation, locked; empty when there is none. */
    public Uni<Optional<OperationView>> lock(SessionTx tx, UUID id) {
        return tx.conn().preparedQuery(LOCK).execute(Tuple.of(id)).map(OperationStore::first);
    }

    /** The open operation of a session, if any (a session runs one at a time). */
    public Uni<Optional<OperationView>> openFor(SessionTx tx, UUID session) {
        return tx.conn().preparedQuery(OPEN_FOR_TARGET).execute(Tuple.of(session)).map(OperationStore::first);
    }

    public Uni<OperationView> succeed(SessionTx tx, UUID id, Object result) {
        return finish(tx, id, result, null, null);
    }

    public Uni<OperationView> fail(SessionTx tx, UUID id, String code, String message) {
        return finish(tx, id, null, code, message);
    }

    private Uni<OperationView> finish(SessionTx tx, UUID id, Object result, String code, String message) {
        return tx.conn().preparedQuery(FINISH).execute(Tuple.from(new Object[] { id, Timestamps.param(tx.now()),
                result, code, message })).map(OperationStore::one);
    }

    /** Ends every open operation of a session but {@code except} as ABORTED; returns them. */
    public Uni<List<OperationView>> abortOpen(SessionTx tx, UUID session, UUID except, String message) {
        return tx.conn().preparedQuery(ABORT_OPEN).execute(Tuple.of(session, except, Timestamps.param(tx.now()), message))
                .map(OperationStore::all);
    }

    /** Hands an operation to a runner with a fresh deadline (a pending session's start, once placed). */
    public Uni<OperationView> assign(SessionTx tx, UUID id, UUID runner, Instant deadline, JsonObject metadata) {
        return tx.conn().preparedQuery(ASSIGN).execute(Tuple.of(id, runner, Timestamps.param(deadline),
                Timestamps.param(tx.now()), metadata)).map(rows -> announce(tx, one(rows)));
    }

    public Uni<Optional<OperationView>> progress(SessionTx tx, UUID id, int progress, JsonObject metadata) {
        return tx.conn().preparedQuery(PROGRESS).execute(Tuple.of(id, progress, metadata, Timestamps.param(tx.now())))
                .map(OperationStore::first);
    }

    /** Start times of a component's restarts since {@code since}, newest first (throttled ones not counted). */
    public Uni<List<Instant>> recentRestarts(SessionTx tx, UUID session, String component, Instant since) {
        return tx.conn().preparedQuery(RECENT_RESTARTS).execute(Tuple.of(session, component, Timestamps.param(since)))
                .map(rows -> {
                    List<Instant> times = new ArrayList<>();
                    rows.forEach(row -> times.add(Timestamps.column(row, "created_at")));
                    return times;
                });
    }

    static OperationView one(RowSet<Row> rows) {
        return OperationView.from(rows.iterator().next());
    }

    static Optional<OperationView> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(OperationView.from(rows.iterator().next()));
    }

    static List<OperationView> all(RowSet<Row> rows) {
        List<OperationView> views = new ArrayList<>(rows.size());
        rows.forEach(row -> views.add(OperationView.from(row)));
        return views;
    }
}
