package dev.fleet.queue.claim;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import io.smallrye.mutiny.Uni;

/**
 * The claims of this replica that are waiting for work (long-poll), per queue, oldest first.
 *
 * <p>A claimer registers <em>before</em> it tries to claim, so a job enqueued between its empty
 * claim and its wait still wakes it. A notification of n new jobs wakes the n oldest waiters of
 * that queue (each can take several, so n is enough), not all of them: no thundering herd of
 * empty claims. Anything a lost notification would miss is caught by {@link #wakeAll()}, which
 * the listener's catch-up and a slow sweep call. The number of waiters is capped; past the cap
 * a claim is answered 429 at once.
 */
@Singleton
public class ClaimWaiters {

    /** One waiting claim: completed when woken; removes itself when it times out. */
    public final class Waiter {
        private final String queue;
        private final CompletableFuture<Void> signal = new CompletableFuture<>();

        private Waiter(String queue) {
            this.queue = queue;
        }

        /** Completes when woken or after {@code timeout}, whichever is first; then the waiter is gone. */
        public Uni<Void> await(Duration timeout) {
            return Uni.createFrom().completionStage(signal)
                    // Vert.x timers cannot be shorter than 1 ms; a shorter one would never fire.
                    .ifNoItem().after(timeout.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : timeout)
                    .recoverWithItem((Void) null)
                    .eventually(this::leave);
        }

        public void leave() {
            if (waiting.getOrDefault(queue, EMPTY).remove(this)) {
                count.decrementAndGet();
            }
        }

        private boolean wake() {
            return signal.complete(null);
        }
    }

    private static final Queue<Waiter> EMPTY = new ConcurrentLinkedQueue<>();
    private static final Duration MIN_WAIT = Duration.ofMillis(1);

    private final Map<String, Queue<Waiter>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final QueueConfig config;

    ClaimWaiters(QueueConfig config) {
        this.config = config;
    }

    /** Registers a waiting claim on a queue, or answers 429 when this replica already holds the most it may. */
    public Waiter register(String queue) {
        if (count.incrementAndGet() > config.maxWaitingClaims()) {
            count.decrementAndGet();
            throw ProblemException.tooManyRequests("too-many-waiting-claims",
                    "This replica already holds " + config.maxWaitingClaims() + " waiting claims; retry shortly.",
                    Duration.ofSeconds(1)).with("limit", config.maxWaitingClaims());
        }
        Waiter waiter = new Waiter(queue);
        waiting.computeIfAbsent(queue, q -> new ConcurrentLinkedQueue<>()).add(waiter);
        return waiter;
    }

    /** Wakes up to {@code jobs} of the oldest waiters of a queue (all of them when {@code jobs} is 0 or less). */
    public void wake(String queue, int jobs) {
        Queue<Waiter> line = waiting.get(queue);
        if (line == null) {
            return;
        }
        int budget = jobs <= 0 ? Integer.MAX_VALUE : jobs;
        // A woken claim may find nothing at once (a paused queue's settings come from a cache)
        // and register again before this loop ends: only those waiting now are woken, or the
        // claim would be woken, and recurse, again and again on this one stack.
        for (Waiter waiter : List.copyOf(line)) {
            if (budget == 0) {
                return;
            }
            if (waiter.wake()) {
                budget--;
            }
        }
    }

    public void wakeAll() {
        waiting.keySet().forEach(queue -> wake(queue, 0));
    }

    public int waitingCount() {
        return count.get();
    }
}
