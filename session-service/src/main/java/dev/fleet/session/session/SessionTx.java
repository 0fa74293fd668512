package dev.fleet.session.session;

import java.time.Instant;
import java.util.List;

import dev.fleet.platform.notify.TransactionNotifications;
import dev.fleet.session.operation.OperationView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * One lifecycle transaction: its connection, the notifications it sends just before commit, the
 * operations it hands to runners (pushed by this replica once it commits), and the one instant
 * (from the service clock) every change in it is stamped with.
 */
public record SessionTx(SqlConnection conn, TransactionNotifications notifications, List<OperationView> handedOut,
        Instant now) {

    /** Sends what the transaction announced; the last step before commit. */
    public Uni<Void> sendNotifications() {
        return notifications.sendWith(conn);
    }
}
