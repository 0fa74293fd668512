package dev.fleet.queue.job;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import io.smallrye.mutiny.Uni;

/**
 * The producers of this replica waiting for a job to finish ({@code GET /jobs/{id}?waitMs}), by
 * job id, and the outcome streams waiting for a queue's next finished jobs. A {@code fleet_job}
 * notification — from whichever replica finished the job — wakes exactly those; an overflow or a
 * reconnect of the listener wakes everyone. A wake-up is a hint: the waiter re-reads the job, so a
 * lost or duplicated notification costs a read, never a result. Waiters are capped like waiting
 * claims; past the cap the request is answered 429 at once.
 */
@Singleton
public class ResultWaiters {

    /** One waiter: completed when woken; gone once it was woken or timed out. */
    public final class Waiter {
        private final Object key;
        private final boolean counted;
        private final CompletableFuture<Void> signal = new CompletableFuture<>();

        private Waiter(Object key, boolean counted) {
            this.key = key;
            this.counted = counted;
        }

        /** Completes when woken or after {@code timeout}, whichever is first (at least 1 ms: Vert.x's timer floor). */
        public Uni<Void> await(Duration timeout) {
            return Uni.createFrom().completionStage(signal)
                    .ifNoItem().after(timeout.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : timeout)
                    .recoverWithItem((Void) null)
                    .eventually(this::leave);
        }

        public void leave() {
            Set<Waiter> same = waiting.get(key);
            if (same != null && same.remove(this)) {
                if (counted) {
                    count.decrementAndGet();
                }
                if (same.isEmpty()) {
                    waiting.remove(key, same);
                }
            }
        }

        private void wake() {
            signal.complete(null);
        }
    }

    /** Keys of queue streams, apart from job ids. */
    private record QueueKey(String queue) {
    }

    private static final Duration MIN_WAIT = Duration.ofMillis(1);

    private final Map<Object, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final QueueConfig config;

    ResultWaiters(QueueConfig config) {
        this.config = config;
    }

    /** Registers a wait for one job, or answers 429 when this replica already holds the most it may. */
    public Waiter forJob(long id) {
        return register(id);
    }

    /**
     * An outcome stream of a queue: takes one slot for as long as it is open ({@link QueueWatch#close})
     * and gives a fresh waiter for each wait, or answers 429 when this replica is full.
     */
    public QueueWatch watchQueue(String queue) {
        admit();
        return new QueueWatch(queue);
    }

    /** The slot of one outcome stream; each {@link #next()} registers a waiter outside the cap. */
    public final class QueueWatch implements AutoCloseable {
        private final String queue;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private QueueWatch(String queue) {
            this.queue = queue;
        }

        /** A waiter for the queue's next finished jobs; register it before the read it guards. */
        public Waiter next() {
            return add(new Waiter(new QueueKey(queue), false));
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                count.decrementAndGet();
            }
        }
    }

    private Waiter register(Object key) {
        admit();
        return add(new Waiter(key, true));
    }

    private void admit() {
        if (count.incrementAndGet() > config.maxWaitingResults()) {
            count.decrementAndGet();
            throw ProblemException.tooManyRequests("too-many-waiting-results",
                    "This replica already holds " + config.maxWaitingResults() + " waits for job results; retry shortly.",
                    Duration.ofSeconds(1)).with("limit", config.maxWaitingResults());
        }
    }

    private Waiter add(Waiter waiter) {
        waiting.computeIfAbsent(waiter.key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        return waiter;
    }

    /** Jobs of a queue finished: wakes their waiters and the queue's streams. */
    public void finished(String queue, Iterable<Long> jobs) {
        for (Long id : jobs) {
            wake(id);
        }
        wake(new QueueKey(queue));
    }

    public void wakeAll() {
        waiting.values().forEach(set -> set.forEach(Waiter::wake));
    }

    public int waitingCount() {
        return count.get();
    }

    private void wake(Object key) {
        Set<Waiter> same = waiting.get(key);
        if (same != null) {
            same.forEach(Waiter::wake);
        }
    }
}
