package dev.fleet.session.lease;

import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
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

    private static final String LOCK_HOST = "SELECT pg_advisory_xact_lock(hashtext('fleet-lease:' || $1))";

    // The lowest free value of each kind, all three in one statement; a kind with none free yields null.
    private static final String ALLOCATE = """
            WITH display AS (
                INSERT INTO session.resource_leases (host, kind, value, session_id, leased_at)
                SELECT $1, 'display', v, $2, $3 FROM generate_series($4::int, $5::int) v
                WHERE NOT EXISTS (SELECT 1 FROM session.resource_leases l
                                  WHERE l.host = $1 AND l.kind = 'display' AND l.value = v)
                ORDER BY v LIMIT 1 RETURNING value),
            ports AS (
                INSERT INTO session.resource_leases (host, kind, value, session_id, leased_at)
                SELECT $1, 'ports', v, $2, $3 FROM generate_series(0, $6::int) v
                WHERE NOT EXISTS (SELECT 1 FROM session.resource_leases l
                                  WHERE l.host = $1 AND l.kind = 'ports' AND l.value = v)
                ORDER BY v LIMIT 1 RETURNING value),
            volume AS (
                INSERT INTO session.resource_leases (host, kind, value, session_id, leased_at)
                SELECT $1, 'volume', v, $2, $3 FROM generate_series(0, $7::int) v
                WHERE NOT EXISTS (SELECT 1 FROM session.resource_leases l
                                  WHERE l.host = $1 AND l.kind = 'volume' AND l.value = v)
                ORDER BY v LIMIT 1 RETURNING value)
            SELECT (SELECT value FROM display) AS display, (SELECT value FROM ports) AS ports,
                   (SELECT value FROM volume) AS volume""";

    private static final String RELEASE = "DELETE FROM session.resource_leases WHERE session_id = $1"
            + " AND ($2::text IS NULL OR host = $2)";

    private final SessionConfig.Leases ranges;

    ResourceLeases(SessionConfig config) {
        this.ranges = config.leases();
    }

    /** Leases one value of each kind on {@code host} to the session; 503 when a kind is used up there. */
    public Uni<Resources> allocate(SqlConnection tx, String host, UUID session, Instant now) {
        int lastBlock = (ranges.portMax() - ranges.portMin() + 1) / ranges.portBlockSize() - 1;
        return tx.preparedQuery(LOCK_HOST).execute(Tuple.of(host))
                .chain(() -> tx.preparedQuery(ALLOCATE).execute(Tuple.from(new Object[] { host, session,
                        Timestamps.param(now), ranges.displayMin(), ranges.displayMax(), lastBlock, ranges.volumeMax() })))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    for (String kind : new String[] { DISPLAY, PORTS, VOLUME }) {
                        if (row.getInteger(kind) == null) {
                            throw ProblemException.unavailable("resources-exhausted", "Every " + kind
                                    + " on host " + host + " is held by a live session.", java.time.Duration.ofSeconds(5))
                                    .with("host", host).with("resource", kind);
                        }
                    }
                    return Resources.fromLeases(row.toJson(), ranges);
                });
    }

    /** Releases what the session holds, on every host or on one. */
    public Uni<Void> release(SqlConnection tx, UUID session, String hostOrNull) {
        return tx.preparedQuery(RELEASE).execute(Tuple.of(session, hostOrNull)).replaceWithVoid();
    }
}
