package dev.fleet.session.session;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.lease.ResourceLeases;
import dev.fleet.session.operation.OperationKind;
import dev.fleet.session.operation.OperationStore;
import dev.fleet.session.operation.OperationView;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The state changes of a session row, each announced on {@code fleet_session} in the same
 * transaction. Ending a session is one step that gives everything back: the runner's slot, the
 * leased resources, and any operation still open on it.
 */
@Singleton
public class SessionStore {

    private static final String LOCK = "SELECT * FROM session.sessions WHERE id = $1 FOR UPDATE";
    private static final String LOCK_OF_OPERATION = "SELECT * FROM session.sessions"
            + " WHERE id = (SELECT target FROM session.operations WHERE id = $1) FOR UPDATE";

    // One statement for every transition; the columns each state implies follow from the new state.
    // Entering running counts as activity, so a resumed session is not paused again at once.
    private static final String SET_STATE = """
            UPDATE session.sessions SET state = $2, state_reason = $3, updated_at = $4,
                started_at = CASE WHEN $2 = 'running' THEN coalesce(started_at, $4) ELSE started_at END,
                ended_at = CASE WHEN $2 IN ('stopped', 'error', 'expired') THEN $4 ELSE ended_at END,
                paused_at = CASE WHEN $2 = 'paused' THEN $4 ELSE paused_at END,
                resumed_at = CASE WHEN $2 = 'running' AND state = 'paused' THEN $4 ELSE resumed_at END,
                auto_paused = ($2 = 'paused' AND $5),
                activity_since = NULL,
                last_human_activity_at = CASE WHEN $2 = 'running' THEN greatest(last_human_activity_at, $4)
                                              ELSE last_human_activity_at END,
                last_agent_activity_at = CASE WHEN $2 = 'running' THEN greatest(last_agent_activity_at, $4)
                                              ELSE last_agent_activity_at END
            WHERE id = $1""";

    private static final String ASSIGN = "UPDATE session.sessions SET runner_id = $2, host = $3, updated_at = $4"
            + " WHERE id = $1";

    private final ResourceLeases leases;
    private final Placement placement;
    private final OperationStore operations;
    private final SessionConfig config;

    SessionStore(ResourceLeases leases, Placement placement, OperationStore operations, SessionConfig config) {
        this.leases = leases;
        this.placement = placement;
        this.operations = operations;
        this.config = config;
    }

    /** The session row, locked for this transaction; 404 when there is none. */
    public Uni<SessionRow> lock(SessionTx tx, UUID id) {
        return lockFirst(tx, LOCK, id).map(row -> row.orElseThrow(() -> unknownSession(id)));
    }

    /** The row of the session an operation acts on, locked; empty when there is no such operation. */
    public Uni<Optional<SessionRow>> lockOfOperation(SessionTx tx, UUID operation) {
        return lockFirst(tx, LOCK_OF_OPERATION, operation);
    }

    private static Uni<Optional<SessionRow>> lockFirst(SessionTx tx, String sql, UUID id) {
        return tx.conn().preparedQuery(sql).execute(Tuple.of(id)).map(rows -> rows.size() == 0
                ? Optional.empty() : Optional.of(SessionRow.from(rows.iterator().next())));
    }

    public Uni<SessionView> find(SqlClient client, UUID id) {
        return client.preparedQuery(SessionView.SELECT + " WHERE s.id = $1").execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                throw unknownSession(id);
            }
            return SessionView.from(rows.iterator().next(), config.leases());
        });
    }

    /** Moves the session to {@code to}; {@code autoPaused} matters only for {@code paused}. */
    public Uni<Void> setState(SessionTx tx, SessionRow row, SessionState to, String reason, boolean autoPaused) {
        announce(tx, row.id(), row.pool(), to, row.state(), row.runnerId());
        return tx.conn().preparedQuery(SET_STATE)
                .execute(Tuple.of(row.id(), to.name(), reason, Timestamps.param(tx.now()), autoPaused))
                .replaceWithVoid();
    }

    /** Tells {@code fleet_session} listeners that a session entered {@code state} ({@code previous} null when new). */
    public void announce(SessionTx tx, UUID session, String pool, SessionState state, SessionState previous, UUID runner) {
        tx.notifications().add(Channel.SESSION, new JsonObject().put("event", "state").put("session", session.toString())
                .put("pool", pool).put("state", state.name()).put("previous", previous == null ? null : previous.name())
                .put("runner", runner == null ? null : runner.toString()));
    }

    /** Records the runner (and host) the session now lives on. */
    public Uni<SessionRow> assign(SessionTx tx, SessionRow row, UUID runner, String host) {
        return tx.conn().preparedQuery(ASSIGN).execute(Tuple.of(row.id(), runner, host, Timestamps.param(tx.now())))
                .replaceWith(row.onRunner(runner, host));
    }

    /**
     * Ends the session in a final state: gives its runner slot back (counting a failure for
     * {@code error}), releases its resources, and aborts its open operations other than
     * {@code finishing} (undoing a half-done handover's reservation on the other runner).
     */
    public Uni<Void> end(SessionTx tx, SessionRow row, SessionState state, String reason, UUID finishing) {
        Uni<Void> slot = row.runnerId() != null && SessionState.PLACED.contains(row.state())
                ? placement.unplace(tx, row.runnerId(), state == SessionState.error)
                : Uni.createFrom().voidItem();
        return setState(tx, row, state, reason, false)
                .chain(() -> slot)
                .chain(() -> leases.release(tx.conn(), row.id(), null))
                .chain(() -> operations.abortOpen(tx, row.id(), finishing, "session " + state + ": " + reason))
                .chain(aborted -> releaseHandovers(tx, aborted));
    }

    /** Undoes what open handovers reserved on the runner they were moving to. */
    public Uni<Void> releaseHandovers(SessionTx tx, List<OperationView> aborted) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (OperationView op : aborted) {
            if (op.kind() == OperationKind.handover && op.runnerId() != null) {
                chain = chain.chain(() -> placement.unplace(tx, op.runnerId(), false));
            }
        }
        return chain;
    }

    public static ProblemException unknownSession(UUID id) {
        return ProblemException.notFound("session", "There is no session " + id + ".");
    }

    /** 409 for a request the session's current state does not allow; names that state. */
    public static ProblemException wrongState(SessionRow row, String action) {
        return ProblemException.conflict("invalid-transition", "Session " + row.id() + " is " + row.state()
                + "; it cannot " + action + " from that state.").with("state", row.state().name());
    }
}
