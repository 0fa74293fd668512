package dev.fleet.session.session;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.event.Event;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.NotifyConfig;
import dev.fleet.platform.notify.TransactionNotifications;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.operation.OperationsCommitted;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Runs lifecycle work in one transaction stamped with the service clock; notifications go out last,
 * and once it has committed the operations it handed to runners are announced on this replica
 * ({@link OperationsCommitted}).
 */
@Singleton
public class SessionTransactions {

    private final Pool pool;
    private final Clock clock;
    private final NotifyConfig notifyConfig;
    private final Event<OperationsCommitted> committed;

    SessionTransactions(Pool pool, Clock clock, NotifyConfig notifyConfig, Event<OperationsCommitted> committed) {
        this.pool = pool;
        this.clock = clock;
        this.notifyConfig = notifyConfig;
        this.committed = committed;
    }

    public <T> Uni<T> run(Function<SessionTx, Uni<T>> work) {
        List<OperationView> handedOut = new ArrayList<>();
        return pool.withTransaction(conn -> {
            SessionTx tx = new SessionTx(conn, new TransactionNotifications(notifyConfig.maxPayloadBytes()), handedOut,
                    clock.instant());
            return work.apply(tx).call(tx::sendNotifications);
        }).invoke(() -> {
            if (!handedOut.isEmpty()) {
                committed.fire(new OperationsCommitted(List.copyOf(handedOut)));
            }
        });
    }

    public Pool pool() {
        return pool;
    }

    public Clock clock() {
        return clock;
    }
}
