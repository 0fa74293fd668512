package dev.fleet.session.operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.session.OperationOutcomes;
import dev.fleet.session.session.SessionRow;
import dev.fleet.session.session.SessionStore;
import dev.fleet.session.session.SessionTransactions;
import dev.fleet.session.session.SessionTx;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reading operations, the runner's reports on them (progress, complete, fail), cancel, and the
 * deadline that ends any operation left open. Every end goes through {@link OperationOutcomes}
 * under the session's row lock, so a late report and a timeout cannot both end one operation.
 */
@Singleton
public class OperationService {

    private static final String LIST = "SELECT " + OperationView.COLUMNS + " FROM session.operations"
            + " WHERE ($1::uuid IS NULL OR target = $1) AND ($2::uuid IS NULL OR runner_id = $2)"
            + " AND ($3::boolean IS NULL OR done = $3) AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))"
            + " ORDER BY created_at DESC, id DESC LIMIT $6";

    private static final String OVERDUE = "SELECT id FROM session.operations WHERE NOT done AND deadline <= $1"
            + " ORDER BY deadline LIMIT $2";

    private final SessionTransactions transactions;
    private final SessionStore sessions;
    private final OperationStore store;
    private final OperationOutcomes outcomes;
    private final OperationTimeouts timeouts;
    private final SessionConfig config;

    OperationService(SessionTransactions transactions, SessionStore sessions, OperationStore store,
            OperationOutcomes outcomes, OperationTimeouts timeouts, SessionConfig config) {
        this.transactions = transactions;
        this.sessions = sessions;
        this.store = store;
        this.outcomes = outcomes;
        this.timeouts = timeouts;
        this.config = config;
    }

    public Uni<OperationView> findOperationById(UUID id) {
        return store.find(transactions.pool(), id).map(found -> found.orElseThrow(() -> unknownOperation(id)));
    }

    public Uni<List<OperationView>> listOperations(UUID target, UUID runner, Boolean done, Instant beforeCreatedAt,
            UUID beforeId, int limit) {
        int max = config.operations().maxPerQuery();
        if (limit > max) {
            throw ProblemException.overLimit("limit", max, "At most " + max
                    + " operations per query (fleet.session.operations.max-per-query).");
        }
        return transactions.pool().preparedQuery(LIST).execute(Tuple.from(new Object[] { target, runner, done,
                Timestamps.param(beforeCreatedAt), beforeId, limit }))
                .map(rows -> {
                    List<OperationView> views = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        views.add(OperationView.from(row));
                    }
                    return views;
                });
    }

    public Uni<OperationView> completeOperation(UUID id, RunnerCaller caller, Object result) {
        return report(id, caller, (tx, locked) -> outcomes.succeed(tx, locked.row(), locked.op(), json(result)));
    }

    public Uni<OperationView> failOperation(UUID id, RunnerCaller caller, String error) {
        return report(id, caller, (tx, locked) -> outcomes.fail(tx, locked.row(), locked.op(), OperationError.FAILED, error));
    }

    public Uni<OperationView> reportProgress(UUID id, RunnerCaller caller, int progress, Map<String, Object> metadata) {
        JsonObject merge = metadata == null ? new JsonObject() : new JsonObject(metadata);
        return report(id, caller, (tx, locked) -> store.progress(tx, id, progress, merge)
                .map(updated -> updated.orElseThrow()));
    }

    /** Cancels an open operation (a stop cannot be cancelled: stopping must always end). */
    public Uni<OperationView> cancelOperation(UUID id) {
        return report(id, new RunnerCaller(null), (tx, locked) -> {
            if (locked.op().kind() == OperationKind.stop) {
                throw ProblemException.conflict("not-cancellable", "A stop operation cannot be cancelled.")
                        .with("kind", OperationKind.stop.name());
            }
            return outcomes.fail(tx, locked.row(), locked.op(), OperationError.CANCELLED, "cancelled by request");
        });
    }

    /** Ends up to {@code batch} operations past their deadline with DEADLINE_EXCEEDED; returns how many. */
    public Uni<Integer> expireOverdue(int batch) {
        Instant now = transactions.clock().instant();
        return transactions.pool().preparedQuery(OVERDUE).execute(Tuple.of(Timestamps.param(now), batch))
                .chain(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID("id")));
                    Uni<Integer> chain = Uni.createFrom().item(0);
                    for (UUID id : ids) {
                        chain = chain.chain(count -> expire(id).map(expired -> expired ? count + 1 : count));
                    }
                    return chain;
                });
    }

    private Uni<Boolean> expire(UUID id) {
        return store.find(transactions.pool(), id).chain(found -> {
            if (found.isEmpty() || found.get().done()) {
                return Uni.createFrom().item(false);
            }
            return transactions.run(tx -> sessions.lock(tx, found.get().target())
                    .chain(row -> store.lock(tx, id).chain(op -> {
                        if (op.isEmpty() || op.get().done() || op.get().deadline().isAfter(tx.now())) {
                            return Uni.createFrom().item(false); // finished or moved on meanwhile
                        }
                        return outcomes.fail(tx, row, op.get(), OperationError.DEADLINE_EXCEEDED, overdueReason(op.get(), row))
                                .replaceWith(true);
                    })));
        });
    }

    private String overdueReason(OperationView op, SessionRow row) {
        if (op.kind() == OperationKind.start && op.runnerId() == null) {
            return "no runner became free within " + config.pendingTimeout().toSeconds() + " s";
        }
        return op.kind() + " did not finish within " + timeouts.of(op.kind()).toMillis() + " ms";
    }

    /** An open operation and its session, both locked (session first), after the caller was checked. */
    private record Locked(SessionRow row, OperationView op) {
    }

    private Uni<OperationView> report(UUID id, RunnerCaller caller, BiFunction<SessionTx, Locked, Uni<OperationView>> work) {
        return transactions.run(tx -> {
            // The session's lock, then the operation's, then the token check go out together (one round trip).
            Uni<Optional<SessionRow>> session = sessions.lockOfOperation(tx, id);
            Uni<Optional<OperationView>> op = store.lock(tx, id);
            Uni<Void> allowed = caller.requireOperationRunner(tx.conn(), id);
            return Uni.combine().all().unis(session, op, allowed).asTuple().chain(all -> {
                OperationView locked = all.getItem2().orElseThrow(() -> unknownOperation(id));
                if (locked.done()) {
                    throw alreadyDone(locked);
                }
                return work.apply(tx, new Locked(all.getItem1().orElseThrow(() -> unknownOperation(id)), locked));
            });
        });
    }

    static ProblemException unknownOperation(UUID id) {
        return ProblemException.notFound("operation", "There is no operation " + id + " (finished operations are"
                + " kept for fleet.session.operations.ttl, at most fleet.session.operations.max-kept per session).");
    }

    private static ProblemException alreadyDone(OperationView op) {
        return ProblemException.conflict("operation-done", "Operation " + op.id() + " is already done"
                + (op.error() == null ? " (succeeded)." : " (" + op.error().code() + ": " + op.error().message() + ")."))
                .with("operation", op.id().toString());
    }

    /** A JSON value from a request body as the pg client stores it in a jsonb column. */
    static Object json(Object value) {
        if (value instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            return new JsonObject(object);
        }
        if (value instanceof List<?> list) {
            return new JsonArray(new ArrayList<>(list));
        }
        return value;
    }
}
