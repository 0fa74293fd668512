package dev.fleet.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Claims ahead of the free slots: one thread long-polls the queue for as many jobs as
 * {@code slots + ahead} minus what this process already holds, and keeps the jobs no slot has
 * taken yet in a local buffer whose leases it heartbeats. A slot {@link #take takes} the next job
 * at once instead of waiting for a claim round trip, and tells {@link #done} when the job is no
 * longer held (its outcome answered for, or given back); only then is there room for another
 * claim. A full buffer with every slot busy claims nothing.
 *
 * <p>The trade-off: a job in this buffer waits for this process even while another runner of the
 * same queue idles, and a job of higher priority enqueued later waits behind the buffered ones
 * (at most {@code ahead} jobs, about {@code ahead × job time ÷ slots}). The buffer pays off when
 * the claim round trip is a noticeable part of a job's time; {@code ahead = 0} claims only for
 * free slots, as before. An {@link ClaimAheadSizing#adaptive adaptive} buffer bounds that wait in
 * time instead: it is resized every {@value #RETUNE_MILLIS} ms to hold about the sizing's horizon
 * of work at the rate jobs have been finishing here.
 *
 * <p>{@link #stop()} ends claiming (a claim in flight is not cut off) and gives the buffered jobs
 * back in one release (their attempt not counted), so a drain hands back what it never started.
 */
public final class ClaimAhead implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClaimAhead.class.getName());
    /** queue-service's limit on one claim. */
    private static final int MAX_CLAIM = 500;
    private static final long LOW_WATER_MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long HEARTBEAT_FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long RETUNE_MILLIS = 100;

    /** A buffered job and when its lease next needs extending. */
    private static final class Buffered {
        final ClaimedJob job;
        volatile Instant leaseExpiresAt;
        volatile long nextHeartbeatNanos;

        Buffered(ClaimedJob job) {
            this.job = job;
            extended(job.leaseExpiresAt());
        }

        void extended(Instant expiresAt) {
            leaseExpiresAt = expiresAt;
            long left = Duration.between(Instant.now(), expiresAt).toNanos();
            nextHeartbeatNanos = System.nanoTime() + Math.max(HEARTBEAT_FLOOR_NANOS, left / 3);
        }

        ClaimedJob current() {
            return new ClaimedJob(job.id(), job.queue(), job.kind(), job.payload(), job.priority(), job.attempt(),
                    job.maxAttempts(), job.leaseToken(), leaseExpiresAt, job.runAt());
        }
    }

    private final QueueClient queue;
    private final String queueName;
    private final String runnerId;
    private final Duration claimWait;
    private final int slots;
    private final ClaimAheadSizing sizing;
    /** Slots + the buffer's current size; written by the claimer only. */
    private volatile int capacity;
    private final Room room;
    private final LongAdder finished = new LongAdder();
    private long rateSinceNanos = System.nanoTime();
    private long finishedBefore;
    private double finishRate;
    private final BlockingDeque<Buffered> buffer = new LinkedBlockingDeque<>();
    private final Map<Long, Buffered> byId = new ConcurrentHashMap<>();
    private final ScheduledExecutorService leaseTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-claim-ahead-leases").daemon().factory());
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong leasesLost = new AtomicLong();
    private volatile boolean claiming;
    private volatile Thread claimer;

    /**
     * @param slots jobs the caller runs at once
     * @param ahead jobs held beyond the slots (0: claim only for free slots)
     */
    public ClaimAhead(QueueClient queue, String queueName, String runnerId, int slots, int ahead, Duration claimWait) {
        this(queue, queueName, runnerId, slots, ClaimAheadSizing.fixed(ahead), claimWait);
    }

    /** @param sizing how many jobs are held beyond the slots, fixed or adapted to the rate jobs finish */
    public ClaimAhead(QueueClient queue, String queueName, String runnerId, int slots, ClaimAheadSizing sizing,
            Duration claimWait) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots ≥ 1");
        }
        this.queue = queue;
        this.queueName = queueName;
        this.runnerId = runnerId;
        this.claimWait = claimWait;
        this.slots = slots;
        this.sizing = sizing;
        this.capacity = slots + sizing.floor();
        this.room = new Room(capacity);
    }

    public ClaimAhead start() {
        claiming = true;
        claimer = Thread.ofPlatform().name("fleet-claim").start(this::claimWhileRunning);
        leaseTimer.scheduleWithFixedDelay(this::heartbeatDueLeases, 100, 100, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The next claimed job, waiting up to {@code timeout}; null if none came (or claiming stopped). */
    public ClaimedJob take(Duration timeout) throws InterruptedException {
        Buffered next = buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (next == null) {
            return null;
        }
        byId.remove(next.job.id());
        if (buffer.size() < slots) {
            LockSupport.unpark(claimer); // the buffer alone no longer feeds every slot: claim now
        }
        return next.current();
    }

    /** The job taken is no longer held here (its outcome was answered for, or it went back): room for another. */
    public void done(ClaimedJob job) {
        finished.increment();
        room.release();
        if (room.availablePermits() >= capacity / 2) {
            LockSupport.unpark(claimer); // half the room is free: a claim is worth it
        }
    }

    /** How many jobs the buffer may hold now beyond the slots. */
    public int ahead() {
        return capacity - slots;
    }

    /** Jobs claimed and not yet taken. */
    public int buffered() {
        return buffer.size();
    }

    /** Jobs held: buffered, plus taken and not yet {@link #done}. */
    public int held() {
        return capacity - room.availablePermits();
    }

    public long claimed() {
        return claimed.get();
    }

    /** Buffered jobs whose lease was lost before a slot took them. */
    public long leasesLost() {
        return leasesLost.get();
    }

    /**
     * Claims no more (waiting for the claim in flight to come back) and gives every buffered job
     * back; returns how many went back.
     */
    public int stop() throws InterruptedException {
        claiming = false;
        if (claimer != null) {
            claimer.join();
        }
        leaseTimer.shutdownNow();
        List<Buffered> left = new ArrayList<>();
        buffer.drainTo(left);
        left.forEach(b -> byId.remove(b.job.id()));
        int back = 0;
        for (int from = 0; from < left.size(); from += 1000) {
            List<ClaimedJob> chunk = left.subList(from, Math.min(left.size(), from + 1000)).stream()
                    .map(b -> b.job).toList();
            try {
                back += (int) queue.release(chunk).stream().filter(LeaseResult::ok).count();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not give back " + chunk.size() + " buffered jobs;"
                        + " they return when their lease ends: " + e.getMessage());
            }
            chunk.forEach(this::done);
        }
        return back;
    }

    @Override
    public void close() {
        claiming = false;
        if (claimer != null) {
            claimer.interrupt();
        }
        leaseTimer.shutdownNow();
    }

    private void claimWhileRunning() {
        while (claiming) {
            retune();
            try {
                if (!room.tryAcquire(RETUNE_MILLIS, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            int free = 1 + room.drainPermits();
            if (free < capacity / 2 && buffer.size() >= slots) {
                // Low-water mark: while the buffer alone can feed every slot, wait for half the
                // room, so that claims stay large instead of one request per freed job.
                room.release(free);
                // take() and done() wake it when either changes; the bound only guards a missed wake-up.
                LockSupport.parkNanos(this, LOW_WATER_MAX_WAIT_NANOS);
                continue;
            }
            int max = Math.min(MAX_CLAIM, free);
            room.release(free - max);
            List<ClaimedJob> jobs;
            try {
                jobs = queue.claim(queueName, runnerId, max, claimWait);
            } catch (CancellationException e) {
                room.release(max);
                return;
            } catch (RuntimeException e) {
                room.release(max);
                LOG.log(System.Logger.Level.WARNING, "claim from queue " + queueName + " failed: " + e.getMessage());
                pause(Duration.ofSeconds(1));
                continue;
            }
            room.release(max - jobs.size());
            claimed.addAndGet(jobs.size());
            for (ClaimedJob job : jobs) {
                Buffered held = new Buffered(job);
                byId.put(job.id(), held);
                buffer.add(held);
            }
        }
    }

    /**
     * Resizes an adaptive buffer to the rate jobs finished at over the last intervals (an average
     * that halves the weight of each older interval). Shrinking takes permits away, below zero if
     * they are held: room opens again only once enough jobs are done.
     */
    private void retune() {
        long now = System.nanoTime();
        long elapsed = now - rateSinceNanos;
        if (!sizing.adapts() || elapsed < TimeUnit.MILLISECONDS.toNanos(RETUNE_MILLIS)) {
            return;
        }
        long total = finished.sum();
        double recent = (total - finishedBefore) * 1e9 / elapsed;
        finishRate = finishRate == 0 ? recent : (finishRate + recent) / 2;
        finishedBefore = total;
        rateSinceNanos = now;
        int wanted = slots + sizing.aheadFor(finishRate);
        int change = wanted - capacity;
        if (change > 0) {
            capacity = wanted;
            room.release(change);
        } else if (change < 0) {
            room.shrink(-change);
            capacity = wanted;
        }
    }

    /** A semaphore whose permits can also be taken away, for a buffer that shrinks. */
    private static final class Room extends Semaphore {
        Room(int permits) {
            super(permits);
        }

        void shrink(int by) {
            reducePermits(by);
        }
    }

    private void heartbeatDueLeases() {
        long now = System.nanoTime();
        List<Buffered> due = byId.values().stream().filter(b -> now >= b.nextHeartbeatNanos).toList();
        if (due.isEmpty()) {
            return;
        }
        try {
            List<LeaseResult> results = queue.heartbeat(due.stream().map(b -> b.job).toList());
            for (int i = 0; i < results.size(); i++) {
                Buffered held = due.get(i);
                LeaseResult result = results.get(i);
                if (result.ok()) {
                    held.extended(result.leaseExpiresAt());
                } else if (buffer.remove(held)) { // not taken meanwhile: it is gone for us
                    byId.remove(held.job.id());
                    leasesLost.incrementAndGet();
                    done(held.job);
                    LOG.log(System.Logger.Level.WARNING, "lease of buffered job " + held.job.id() + " lost ("
                            + result.outcome() + ", " + result.state() + ")");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat of buffered leases failed: " + e.getMessage());
        }
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
