package dev.fleet.session.event;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;

/**
 * One follow stream: a cursor (the highest seq read) and a small state machine that reads the log
 * forward from it whenever it is woken, and emits what it read as fast as the client takes it.
 *
 * <p>All state is confined to one Vert.x context: wake-ups (from the notification listener), read
 * results (from the pool), demand (from the HTTP response) and timers all hop onto it, so there
 * are no locks and nothing blocks. Reads are serialised: a wake-up during a read only marks the
 * follower {@code wanted}, and the read is run again once the current one is sent, so no wake-up
 * is lost and no event is read twice or out of order. At most one batch ({@value #BATCH} events)
 * is held in memory, and the next read waits until the client has taken it: a slow client slows
 * only its own stream.
 *
 * <p>It ends (completes the stream) when the session is in a final state and everything logged
 * before is sent, when it sent nothing for {@code follow-idle-timeout}, when a read fails (the
 * client resumes with {@code Last-Event-ID}), or when the client goes away; each way gives its slot
 * back exactly once.
 */
final class EventFollower {

    private static final Logger LOG = Logger.getLogger(EventFollower.class);

    /** Most events one read fetches (and this follower holds). */
    static final int BATCH = 500;

    private final UUID session;
    private final Context context;
    private final EventQueries queries;
    private final long idleNanos;
    private final Consumer<EventFollower> onClose;

    // Touched only on `context`.
    private MultiEmitter<? super EventView> emitter;
    private final ArrayDeque<EventView> pending = new ArrayDeque<>();
    private long cursor;
    private boolean fetching;
    private boolean wanted = true;
    private boolean ended;
    private boolean closed;
    private long lastSentNanos = System.nanoTime();
    private long idleTimer = -1;

    EventFollower(UUID session, Context context, EventQueries queries, Duration idleTimeout, Consumer<EventFollower> onClose) {
        this.session = session;
        this.context = context;
        this.queries = queries;
        this.idleNanos = idleTimeout.toNanos();
        this.onClose = onClose;
    }

    UUID session() {
        return session;
    }

    /** Starts the idle clock (so a stream that is never subscribed gives its slot back too). */
    void start() {
        context.runOnContext(v -> armIdleTimer(idleNanos));
    }

    /** The stream of events after {@code from}; subscribe once. */
    Multi<EventView> stream(long from) {
        return Multi.createFrom().emitter(em -> {
            em.onRequest(n -> context.runOnContext(v -> drain()));
            em.onTermination(this::close);
            context.runOnContext(v -> attach(em, from));
        });
    }

    /** Something may have been logged (or the session ended): read again. */
    void wake() {
        context.runOnContext(v -> {
            wanted = true;
            drain();
        });
    }

    /** Ends the stream (if it still runs) and gives the slot back; idempotent. */
    void close() {
        context.runOnContext(v -> closeNow());
    }

    private void attach(MultiEmitter<? super EventView> em, long from) {
        if (closed) {
            em.complete();
            return;
        }
        if (emitter != null) {
            em.fail(new IllegalStateException("an event follower streams to one subscriber"));
            return;
        }
        emitter = em;
        cursor = from;
        lastSentNanos = System.nanoTime(); // the idle clock counts from here once the stream runs
        drain();
    }

    private void drain() {
        if (closed || emitter == null) {
            return;
        }
        while (!pending.isEmpty() && emitter.requested() > 0) {
            emitter.emit(pending.poll());
            lastSentNanos = System.nanoTime();
        }
        if (!pending.isEmpty() || fetching) {
            return;
        }
        if (wanted) {
            fetch();
        } else if (ended) {
            closeNow();
        }
    }

    private void fetch() {
        fetching = true;
        wanted = false;
        queries.after(session, cursor, BATCH).subscribe().with(
                batch -> context.runOnContext(v -> onBatch(batch)),
                failure -> context.runOnContext(v -> onReadFailed(failure)));
    }

    private void onBatch(EventQueries.Batch batch) {
        fetching = false;
        if (closed) {
            return;
        }
        // Same snapshot: a final (or vanished) session with nothing more after this batch is done.
        ended = batch.state() == null || batch.state().isFinal();
        if (!batch.events().isEmpty()) {
            pending.addAll(batch.events());
            cursor = batch.events().get(batch.events().size() - 1).seq();
        }
        if (batch.events().size() == BATCH) {
            wanted = true; // a full batch: there may be more already
        }
        drain();
    }

    private void onReadFailed(Throwable failure) {
        fetching = false;
        LOG.warnf("Reading session %s's events after %d failed (%s); ending the follow stream so the client resumes",
                session, cursor, failure.getMessage());
        closeNow();
    }

    private void armIdleTimer(long delayNanos) {
        if (closed) {
            return;
        }
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos));
        idleTimer = context.owner().setTimer(millis, id -> {
            idleTimer = -1;
            long quiet = System.nanoTime() - lastSentNanos;
            if (quiet >= idleNanos) {
                closeNow();
            } else {
                armIdleTimer(idleNanos - quiet);
            }
        });
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        pending.clear();
        if (idleTimer >= 0) {
            context.owner().cancelTimer(idleTimer);
            idleTimer = -1;
        }
        onClose.accept(this);
        if (emitter != null && !emitter.isCancelled()) {
            emitter.complete();
        }
    }
}
