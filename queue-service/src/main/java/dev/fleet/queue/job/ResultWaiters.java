package dev.fleet.queue.job;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
        private final CompletableFuture<Void> signal = new CompletableFuture<>();

        private Waiter(Object key) {
            this.key = key;
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
                count.decrementAndGet();
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

    /** Registers a wait for any finished job of a queue (an outcome stream's next batch). */
    public Waiter forQueue(String queue) {
        return register(new QueueKey(queue));
    }

    private Waiter register(Object key) {
        if (count.incrementAndGet() > config.maxWaitingResults()) {
            count.decrementAndGet();
            throw ProblemException.tooManyRequests("too-many-waiting-results",
                    "This replica already holds " + config.maxWaitingResults() + " waits for job results; retry shortly.",
                    Duration.ofSeconds(1)).with("limit", config.maxWaitingResults());
        }
        Waiter waiter = new Waiter(key);
        waiting.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
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
