package dev.fleet.session.session;

import java.time.Clock;
import java.util.function.Function;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.NotifyConfig;
import dev.fleet.platform.notify.TransactionNotifications;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/** Runs lifecycle work in one transaction stamped with the service clock; notifications go out last. */
@Singleton
public class SessionTransactions {

    private final Pool pool;
    private final Clock clock;
    private final NotifyConfig notifyConfig;

    SessionTransactions(Pool pool, Clock clock, NotifyConfig notifyConfig) {
        this.pool = pool;
        this.clock = clock;
        this.notifyConfig = notifyConfig;
    }

    public <T> Uni<T> run(Function<SessionTx, Uni<T>> work) {
        return pool.withTransaction(conn -> {
            SessionTx tx = new SessionTx(conn, new TransactionNotifications(notifyConfig.maxPayloadBytes()), clock.instant());
            return work.apply(tx).call(tx::sendNotifications);
        });
    }

    public Pool pool() {
        return pool;
    }

    public Clock clock() {
        return clock;
    }
}
