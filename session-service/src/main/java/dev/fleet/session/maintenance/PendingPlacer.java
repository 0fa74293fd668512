package dev.fleet.session.maintenance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.session.session.SessionService;
import dev.fleet.session.session.SessionTransactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Places sessions that wait for a runner, oldest first. Once a pool has no room, its younger
 * pending sessions are not tried in the same run, so a free slot goes to the longest waiter.
 */
@Singleton
public class PendingPlacer {

    static final int BATCH = 200;

    private static final String PENDING = "SELECT id, pool FROM session.sessions WHERE state = 'pending'"
            + " ORDER BY created_at, id LIMIT $1";

    private final SessionTransactions transactions;
    private final SessionService sessions;

    PendingPlacer(SessionTransactions transactions, SessionService sessions) {
        this.transactions = transactions;
        this.sessions = sessions;
    }

    /** Returns how many sessions it placed. */
    public Uni<Integer> runOnce() {
        return transactions.pool().preparedQuery(PENDING).execute(Tuple.of(BATCH)).chain(rows -> {
            List<UUID> ids = new ArrayList<>();
            List<String> pools = new ArrayList<>();
            rows.forEach(row -> {
                ids.add(row.getUUID("id"));
                pools.add(row.getString("pool"));
            });
            Set<String> full = new HashSet<>();
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (int i = 0; i < ids.size(); i++) {
                UUID id = ids.get(i);
                String pool = pools.get(i);
                chain = chain.chain(placed -> {
                    if (full.contains(pool)) {
                        return Uni.createFrom().item(placed);
                    }
                    return sessions.placePendingSession(id)
                            .onFailure().recoverWithItem(false) // e.g. resources used up on that host: try next run
                            .map(ok -> {
                                if (!ok) {
                                    full.add(pool);
                                }
                                return ok ? placed + 1 : placed;
                            });
                });
            }
            return chain;
        });
    }

    @Scheduled(every = "${fleet.session.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }
}
