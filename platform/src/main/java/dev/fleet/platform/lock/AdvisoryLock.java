package dev.fleet.platform.lock;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Leader-only work without a leader: a periodic task that must run on one replica at a time takes
 * a PostgreSQL transaction-level advisory lock first and skips its run when another replica holds
 * it. The lock ends with the transaction, so a replica that dies mid-run frees it at once.
 */
public final class AdvisoryLock {

    private AdvisoryLock() {
    }

    /** Tries the lock named {@code name} inside the caller's transaction; true when this replica got it. */
    public static Uni<Boolean> tryInTransaction(SqlConnection tx, String name) {
        return tx.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked")
                .execute(Tuple.of(name))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }
}
