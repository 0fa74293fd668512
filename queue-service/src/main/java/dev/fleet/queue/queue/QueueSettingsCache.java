package dev.fleet.queue.queue;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import dev.fleet.queue.config.QueueConfig;
import io.smallrye.mutiny.Uni;

/**
 * This replica's copy of queue settings for the claim path, so that a claim costs no extra query.
 * An entry goes as soon as this replica has changed its queue ({@link QueueService}), as soon as
 * any replica announces a change on {@code fleet_queue} ({@code JobAvailableListener}), and at the
 * latest after {@code fleet.queue.settings-cache-ttl}, which bounds the damage of a lost NOTIFY.
 * A queue that does not exist is never cached: the enqueue that creates it must count at once.
 */
@Singleton
public class QueueSettingsCache {

    /** Far more queues than are claimed from within one TTL; reaching it only costs reloads. */
    static final int MAX_ENTRIES = 10_000;

    private record Entry(QueueSettings settings, long loadedAt) {
    }

    private final QueueQueries queries;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Bumped by every invalidation: a load that overlapped one may have read the old row, so it is not kept. */
    private final AtomicLong generation = new AtomicLong();

    QueueSettingsCache(QueueQueries queries, QueueConfig config) {
        this.queries = queries;
        this.ttlNanos = config.settingsCacheTtl().toNanos();
    }

    /** The queue's settings, from the cache while fresh, else read (and kept if the queue exists). */
    public Uni<Optional<QueueSettings>> find(String queue) {
        if (ttlNanos <= 0) {
            return queries.find(queue);
        }
        // Deferred: freshness and generation are judged when the claim runs, not when it was assembled.
        return Uni.createFrom().deferred(() -> {
            long now = System.nanoTime();
            Entry entry = entries.get(queue);
            if (entry != null && now - entry.loadedAt() < ttlNanos) {
                return Uni.createFrom().item(Optional.of(entry.settings()));
            }
            long seen = generation.get();
            return queries.find(queue).invoke(found -> found.ifPresent(settings -> keep(queue, settings, seen, now)));
        });
    }

    /** Drops one queue's entry; call after a change to it has committed (or may have). */
    public void invalidate(String queue) {
        generation.incrementAndGet();
        entries.remove(queue);
    }

    /** Drops every entry: changes may have gone unannounced (overflow, listener reconnect). */
    public void invalidateAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    private void keep(String queue, QueueSettings settings, long seen, long loadedAt) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.values().removeIf(e -> loadedAt - e.loadedAt() >= ttlNanos);
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        // Checked under the key's lock: an invalidation either bumped the generation before this
        // check (the load is dropped) or removes the entry after it (the entry is dropped).
        entries.compute(queue, (name, old) -> generation.get() == seen ? new Entry(settings, loadedAt) : old);
    }
}
