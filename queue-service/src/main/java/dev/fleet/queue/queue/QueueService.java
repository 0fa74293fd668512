package dev.fleet.queue.queue;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.notify.QueuePublisher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;

/** Queue settings: created on first use, changed by API, paused and resumed. */
@Singleton
public class QueueService {

    private final Pool pool;
    private final QueueQueries queries;
    private final QueuePublisher publisher;
    private final QueueConfig config;
    private final QueueSettingsCache cache;
    /** Queues are never deleted, so once seen a name needs no more INSERT ... ON CONFLICT. */
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    QueueService(Pool pool, QueueQueries queries, QueuePublisher publisher, QueueConfig config,
            QueueSettingsCache cache) {
        this.pool = pool;
        this.cache = cache;
        this.queries = queries;
        this.publisher = publisher;
        this.config = config;
    }

    /** Makes sure the queue exists (with default settings if new). */
    public Uni<Void> ensureQueue(SqlClient client, String name) {
        if (known.contains(name)) {
            return Uni.createFrom().voidItem();
        }
        return queries.createIfMissing(client, QueueNames.require(name)).invoke(() -> known.add(name));
    }

    public Uni<QueueSettings> updateSettings(String name, QueueSettingsRequest request) {
        QueueNames.require(name);
        // The row is read locked: a pause (or another PUT) landing between the read and the write
        // would otherwise be overwritten with the values read before it.
        return pool.withTransaction(connection -> queries.lock(connection, name).chain(existing -> {
            QueueSettings merged = merge(existing.orElseGet(() -> defaults(name)), request);
            return queries.upsert(connection, merged).call(() -> publisher.queueChanged(connection, name));
        }))
                // Committed, or maybe (a lost answer): drop this replica's copy before answering,
                // so a claim sent after the answer sees the change here without waiting for the NOTIFY.
                .onTermination().invoke(() -> cache.invalidate(name))
                .invoke(settings -> known.add(name));
    }

    public Uni<QueueSettings> setPaused(String name, boolean paused) {
        return pool.withTransaction(connection -> queries.setPaused(connection, QueueNames.require(name), paused)
                .map(found -> found.orElseThrow(() -> unknownQueue(name)))
                .call(() -> publisher.queueChanged(connection, name)))
                // As in updateSettings: before the answer.
                .onTermination().invoke(() -> cache.invalidate(name));
    }

    public Uni<QueueView> findQueue(String name) {
        return queries.find(QueueNames.require(name))
                .map(found -> found.orElseThrow(() -> unknownQueue(name)))
                .chain(settings -> queries.stats(name).map(stats ->
                        new QueueView(settings, stats.getOrDefault(name, QueueQueries.emptyStats()))));
    }

    public Uni<List<QueueView>> listQueues() {
        return Uni.combine().all().unis(queries.list(), queries.stats(null)).with((all, stats) -> all.stream()
                .map(settings -> new QueueView(settings, stats.getOrDefault(settings.name(), QueueQueries.emptyStats())))
                .toList());
    }

    public Uni<Map<String, QueueStats>> statsByQueue() {
        return queries.stats(null);
    }

    public static ProblemException unknownQueue(String name) {
        return ProblemException.notFound("queue", "There is no queue named '" + name + "'.");
    }

    private QueueSettings defaults(String name) {
        return new QueueSettings(name, false, config.defaultMaxAttempts(), config.defaultBackoffBase().toMillis(),
                config.defaultBackoffMax().toMillis(), config.defaultLease().toMillis(),
                config.defaultTtlUrgent().toMillis(), config.defaultTtlNormal().toMillis(),
                config.defaultTtlBackground().toMillis(), null, null, null);
    }

    private static QueueSettings merge(QueueSettings current, QueueSettingsRequest r) {
        QueueSettings merged = new QueueSettings(current.name(),
                Objects.requireNonNullElse(r.paused(), current.paused()),
                Objects.requireNonNullElse(r.maxAttempts(), current.maxAttempts()),
                Objects.requireNonNullElse(r.backoffBaseMs(), current.backoffBaseMs()),
                Objects.requireNonNullElse(r.backoffMaxMs(), current.backoffMaxMs()),
                Objects.requireNonNullElse(r.leaseMs(), current.leaseMs()),
                Objects.requireNonNullElse(r.ttlUrgentMs(), current.ttlUrgentMs()),
                Objects.requireNonNullElse(r.ttlNormalMs(), current.ttlNormalMs()),
                Objects.requireNonNullElse(r.ttlBackgroundMs(), current.ttlBackgroundMs()),
                limit(r.ratePerSecond(), current.ratePerSecond()),
                limit(r.costPerMinute(), current.costPerMinute()),
                limit(r.fairnessLimit(), current.fairnessLimit()));
        if (merged.backoffMaxMs() < merged.backoffBaseMs()) {
            throw ProblemException.invalidField("backoffMaxMs", "backoffMaxMs (" + merged.backoffMaxMs()
                    + ") must be at least backoffBaseMs (" + merged.backoffBaseMs() + ").");
        }
        return merged;
    }

    /** Absent keeps the current limit; zero removes it. */
    private static <N extends Number> N limit(N requested, N current) {
        if (requested == null) {
            return current;
        }
        return requested.doubleValue() == 0 ? null : requested;
    }
}
