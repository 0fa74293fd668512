package dev.fleet.session.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Hands out per-host resources to live sessions and takes them back. Allocations on one host are
 * serialized by a transaction advisory lock on the host, so each takes the lowest free value of
 * each kind without retry loops; the primary key (host, kind, value) makes a double hand-out
 * impossible even if that lock were skipped. Leases are released in the transaction that ends the
 * session (or moves it to another host).
 */
@Singleton
public class ResourceLeases {

    static final String DISPLAY = "display";
    static final String PORTS = "ports";
    static final String VOLUME = "volume";

    /** When a host is out of a kind, sessions must end before any is free: retry in a while. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private static final String LOCK_HOST = "SELECT pg_advisory_xact_lock(hashtext('fleet-lease:' || $1))";

    // The lowest free value of each kind, all three in one statement; a kind with none free
    // yields no row (and so is missing from what it returns).
    private static final String ALLOCATE = """
            INSERT INTO session.resource_leases (host, kind, value, session_id, leased_at)
            SELECT $1, range.kind, free.v, $2, $3
            FROM (VALUES ('display', $4::int, $5::int), ('ports', 0, $6::int), ('volume', 0, $7::int))
                 AS range(kind, lo, hi),
                 LATERAL (SELECT v FROM generate_series(range.lo, range.hi) v
                          WHERE NOT EXISTS (SELECT 1 FROM session.resource_leases l
                                            WHERE l.host = $1 AND l.kind = range.kind AND l.value = v)
                          ORDER BY v LIMIT 1) AS free
            RETURNING kind, value""";

    private static final String RELEASE = "DELETE FROM session.resource_leases WHERE session_id = $1"
            + " AND ($2::text IS NULL OR host = $2)";

    private final SessionConfig.Leases ranges;

    ResourceLeases(SessionConfig config) {
        this.ranges = config.leases();
    }

    /** Leases one value of each kind on {@code host} to the session; 503 when a kind is used up there. */
    public Uni<Resources> allocate(SqlConnection tx, String host, UUID session, Instant now) {
        int lastBlock = (ranges.portMax() - ranges.portMin() + 1) / ranges.portBlockSize() - 1;
        // Both statements go out together: PostgreSQL runs the allocation once the lock is granted,
        // so the lock costs no round trip of its own while other placements wait on this host.
        Uni<?> locked = tx.preparedQuery(LOCK_HOST).execute(Tuple.of(host));
        Uni<RowSet<Row>> allocated = tx.preparedQuery(ALLOCATE).execute(Tuple.from(new Object[] { host, session,
                Timestamps.param(now), ranges.displayMin(), ranges.displayMax(), lastBlock, ranges.volumeMax() }));
        return Uni.combine().all().unis(locked, allocated).asTuple().map(both -> both.getItem2())
                .map(rows -> {
                    JsonObject leased = new JsonObject();
                    rows.forEach(row -> leased.put(row.getString("kind"), row.getInteger("value")));
                    for (String kind : new String[] { DISPLAY, PORTS, VOLUME }) {
                        if (!leased.containsKey(kind)) {
                            throw ProblemException.unavailable("resources-exhausted", "Every " + kind
                                    + " on host " + host + " is held by a live session.", RETRY_AFTER)
                                    .with("host", host).with("resource", kind);
                        }
                    }
                    return Resources.fromLeases(leased, ranges);
                });
    }

    /** Releases what the session holds, on every host or on one. */
    public Uni<Void> release(SqlConnection tx, UUID session, String hostOrNull) {
        return tx.preparedQuery(RELEASE).execute(Tuple.of(session, hostOrNull)).replaceWithVoid();
    }
}
