package dev.fleet.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reports job outcomes from many threads in few requests: what arrives within {@code window} of
 * the first waiting outcome (at most {@code maxBatch}) goes out as one {@code /leases/complete}
 * and one {@code /leases/fail} call, and each caller's future learns its own answer
 * ({@link Acknowledgement#ACKNOWLEDGED} or {@link Acknowledgement#LEASE_LOST}).
 *
 * <p>One sender thread, so one batch is in flight at a time; outcomes arriving meanwhile make the
 * next batch bigger, which is what keeps the request count low under load (River's batch
 * completer works the same way). The window only matters when the sender is idle: it trades
 * that much latency per outcome for fewer, fuller requests.
 *
 * <p>The delivery promise of {@link QueueClient#complete} holds: a batch is retried until
 * queue-service answers, however long it is away; a batch it refuses as a whole (one item
 * invalid, e.g. a result over the size limit) is sent again item by item, so only that item's
 * future fails. {@link #close()} sends what is waiting before it returns.
 */
public final class BatchCompleter implements AutoCloseable {

    /** Default coalescing window: a few ms add little to a job that took longer, and fill batches. */
    public static final Duration WINDOW_DEFAULT = Duration.ofMillis(2);
    /** Default items per request (queue-service takes up to 1000). */
    public static final int MAX_BATCH_DEFAULT = 200;

    private static final System.Logger LOG = System.getLogger(BatchCompleter.class.getName());

    private record Pending(Outcome outcome, CompletableFuture<Acknowledgement> answer) {
    }

    private final QueueClient queue;
    private final long windowNanos;
    private final int maxBatch;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final Thread sender;
    private volatile boolean closing;

    public BatchCompleter(QueueClient queue, Duration window, int maxBatch) {
        if (window.isNegative() || maxBatch < 1 || maxBatch > 1000) {
            throw new IllegalArgumentException("window ≥ 0 and 1 ≤ maxBatch ≤ 1000");
        }
        this.queue = queue;
        this.windowNanos = window.toNanos();
        this.maxBatch = maxBatch;
        this.sender = Thread.ofPlatform().name("fleet-outcomes").daemon().start(this::sendWhileOpen);
    }

    /** Queues a success; the future completes once queue-service has answered for it. */
    public CompletableFuture<Acknowledgement> complete(ClaimedJob job, JsonNode result) {
        return submit(Outcome.completed(job, result));
    }

    /** Queues a failure (retried by the queue unless {@code retryable} is false). */
    public CompletableFuture<Acknowledgement> fail(ClaimedJob job, String error, boolean retryable) {
        return submit(Outcome.failed(job, error, retryable));
    }

    /** Outcomes handed over and not yet answered for. */
    public int waiting() {
        return waiting.size();
    }

    public CompletableFuture<Acknowledgement> submit(Outcome outcome) {
        CompletableFuture<Acknowledgement> answer = new CompletableFuture<>();
        if (closing) {
            answer.completeExceptionally(new IllegalStateException("the completer is closed"));
            return answer;
        }
        waiting.add(new Pending(outcome, answer));
        return answer;
    }

    /** Sends everything handed over so far, then stops; outcomes submitted later are refused. */
    @Override
    public void close() {
        close(Duration.ofSeconds(Long.MAX_VALUE / 2_000_000_000L));
    }

    /**
     * As {@link #close()}, waiting at most {@code timeout} for the last answers (queue-service may
     * be away); true if everything handed over was answered for.
     */
    public boolean close(Duration timeout) {
        closing = true;
        try {
            if (!sender.join(timeout)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        // A submit racing with close may have slipped in after the sender's last look.
        for (Pending late; (late = waiting.poll()) != null; ) {
            late.answer().completeExceptionally(new IllegalStateException("the completer is closed"));
        }
        return true;
    }

    private void sendWhileOpen() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closing || !waiting.isEmpty()) {
            try {
                Pending first = waiting.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long until = System.nanoTime() + windowNanos;
                waiting.drainTo(batch, maxBatch - batch.size());
                while (batch.size() < maxBatch && !closing) {
                    long left = until - System.nanoTime();
                    Pending next = left > 0 ? waiting.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    waiting.drainTo(batch, maxBatch - batch.size());
                }
            } catch (InterruptedException e) {
                closing = true;
            }
            send(batch.stream().filter(p -> p.outcome().success()).toList(), true);
            send(batch.stream().filter(p -> !p.outcome().success()).toList(), false);
            batch.clear();
        }
    }

    private void send(List<Pending> batch, boolean success) {
        if (batch.isEmpty()) {
            return;
        }
        List<Outcome> outcomes = batch.stream().map(Pending::outcome).toList();
        try {
            List<Acknowledgement> acks = success ? queue.completeAll(outcomes) : queue.failAll(outcomes);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(acks.get(i));
            }
        } catch (FleetApiException refused) {
            if (batch.size() == 1) {
                batch.getFirst().answer().completeExceptionally(refused);
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "a batch of " + batch.size() + " outcomes was refused (" + refused
                    + "); sending them one by one");
            batch.forEach(this::sendAlone);
        } catch (CancellationException e) { // the client was closed
            batch.forEach(p -> p.answer().completeExceptionally(e));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "outcomes of " + batch.size() + " jobs could not be sent: " + e);
            batch.forEach(p -> p.answer().completeExceptionally(e));
        }
    }

    private void sendAlone(Pending pending) {
        try {
            pending.answer().complete(queue.finish(pending.outcome()));
        } catch (RuntimeException e) {
            pending.answer().completeExceptionally(e);
        }
    }
}
