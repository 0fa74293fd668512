package dev.fleet.session.session;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.session.lease.ResourceLeases;
import dev.fleet.session.metrics.SessionMetrics;
import dev.fleet.session.operation.OperationError;
import dev.fleet.session.operation.OperationKind;
import dev.fleet.session.operation.OperationStore;
import dev.fleet.session.operation.OperationView;
import io.smallrye.mutiny.Uni;

/**
 * What an operation's end does to its session (docs/session-states.md). Callers hold the session
 * row lock and have checked the operation is still open; this applies the effect and closes the
 * operation in the same transaction.
 *
 * <pre>
 * kind      done                                   failed, timed out or cancelled
 * start     starting → running                     pending → expired (timeout) / stopped (cancel);
 *                                                  starting → error (stopped if cancelled)
 * stop      stopping → stopped                     stopping → error (resources released either way)
 * pause     running → paused                       stays running
 * resume    paused → running                       stays paused
 * restart   (no change)                            (no change)
 * handover  moves to the new runner, old slot and   new slot and resources given back
 *           resources given back
 * </pre>
 */
@Singleton
public class OperationOutcomes {

    private final SessionStore store;
    private final Placement placement;
    private final ResourceLeases leases;
    private final OperationStore operations;
    private final SessionMetrics metrics;

    OperationOutcomes(SessionStore store, Placement placement, ResourceLeases leases, OperationStore operations,
            SessionMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.placement = placement;
        this.leases = leases;
        this.operations = operations;
    }

    public Uni<OperationView> succeed(SessionTx tx, SessionRow row, OperationView op, Object result) {
        Uni<Void> effect = switch (op.kind()) {
            case start -> store.setState(tx, row, SessionState.running, null, false);
            case stop -> store.end(tx, row, SessionState.stopped, "stopped", op.id());
            case pause -> store.setState(tx, row, SessionState.paused, null, Boolean.TRUE.equals(op.metadata().get("auto")));
            case resume -> store.setState(tx, row, SessionState.running, null, false);
            case restart -> Uni.createFrom().voidItem();
            case handover -> completeHandover(tx, row, op);
        };
        metrics.operationEnded(op.kind().name(), "done");
        if (op.kind() == OperationKind.start) {
            metrics.started(Duration.between(op.createdAt(), tx.now()));
        }
        return alongside(effect, operations.succeed(tx, op.id(), result));
    }

    public Uni<OperationView> fail(SessionTx tx, SessionRow row, OperationView op, String code, String message) {
        boolean cancelled = OperationError.CANCELLED.equals(code);
        Uni<Void> effect = switch (op.kind()) {
            case start -> row.state() == SessionState.pending && !cancelled
                    ? store.end(tx, row, SessionState.expired, message, op.id())
                    : store.end(tx, row, cancelled ? SessionState.stopped : SessionState.error,
                            cancelled ? "start cancelled" : "start failed: " + message, op.id());
            case stop -> store.end(tx, row, SessionState.error, "stop failed: " + message, op.id());
            case pause, resume, restart -> Uni.createFrom().voidItem();
            case handover -> undoHandover(tx, row, op);
        };
        metrics.operationEnded(op.kind().name(), code);
        return alongside(effect, operations.fail(tx, op.id(), code, message));
    }

    /**
     * The effect and the operation's own end go out together: neither reads what the other writes
     * (an ending session's clean-up spares the finishing operation), so they share a round trip.
     */
    private static Uni<OperationView> alongside(Uni<Void> effect, Uni<OperationView> closed) {
        return Uni.combine().all().unis(effect, closed).asTuple().map(both -> both.getItem2());
    }

    private Uni<Void> completeHandover(SessionTx tx, SessionRow row, OperationView op) {
        UUID to = UUID.fromString((String) op.metadata().get("toRunner"));
        String toHost = (String) op.metadata().get("toHost");
        Uni<Void> oldResources = toHost.equals(row.host()) ? Uni.createFrom().voidItem()
                : leases.release(tx.conn(), row.id(), row.host());
        return placement.unplace(tx, row.runnerId(), false)
                .chain(() -> oldResources)
                .chain(() -> store.assign(tx, row, to, toHost))
                .chain(moved -> store.setState(tx, moved, row.state(), "handed over from runner " + row.runnerId(),
                        row.state() == SessionState.paused && row.autoPaused()));
    }

    private Uni<Void> undoHandover(SessionTx tx, SessionRow row, OperationView op) {
        String toHost = (String) op.metadata().get("toHost");
        Uni<Void> newResources = toHost.equals(row.host()) ? Uni.createFrom().voidItem()
                : leases.release(tx.conn(), row.id(), toHost);
        return placement.unplace(tx, op.runnerId(), false).chain(() -> newResources);
    }
}
