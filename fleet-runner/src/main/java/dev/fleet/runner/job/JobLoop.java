package dev.fleet.runner.job;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.fleet.client.Acknowledgement;
import dev.fleet.client.BatchCompleter;
import dev.fleet.client.ClaimAhead;
import dev.fleet.client.ClaimAheadSizing;
import dev.fleet.client.ClaimedJob;
import dev.fleet.client.LeaseResult;
import dev.fleet.client.Outcome;
import dev.fleet.client.QueueClient;
import dev.fleet.client.TelemetryReporter;

/**
 * The runner's job slots. A {@link ClaimAhead} keeps claimed jobs ready beyond the free slots
 * (heartbeating the buffered ones); a dispatcher hands the next one to a free slot's thread; a
 * timer keeps the running jobs' leases alive (a job whose lease is lost is stopped); outcomes go
 * to a {@link BatchCompleter}, which reports the outcomes of all slots in few requests. A slot is
 * free for the next job as soon as its outcome is handed over; room for another claim opens only
 * once queue-service has answered for it, so this runner holds at most slots + claim-ahead jobs.
 */
public final class JobLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobLoop.class.getName());
    private static final int MAX_ERROR_CHARS = 2000;
    private static final Duration POLL = Duration.ofMillis(100);

    private final QueueClient queue;
    private final String queueName;
    private final JobHandlers handlers;
    private final TelemetryReporter telemetry;
    private final Semaphore freeSlots;
    private final ExecutorService slots;
    private final ClaimAhead feed;
    private final BatchCompleter completer;
    private final ScheduledExecutorService leaseTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-leases").daemon().factory());
    private final Map<Long, RunningJob> running = new ConcurrentHashMap<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final JobStats stats = new JobStats();
    private volatile boolean dispatching;
    private Thread dispatcher;
    private Thread stopper;

    /**
     * @param claimAhead     how many jobs are claimed beyond the free slots
     * @param completeWindow how long outcomes wait to share a request
     * @param completeBatch  most outcomes per request
     * @param telemetry      where job timings go, or null
     */
    public JobLoop(QueueClient queue, String queueName, String runnerId, int concurrency, Duration claimWait,
            ClaimAheadSizing claimAhead, Duration completeWindow, int completeBatch, JobHandlers handlers,
            TelemetryReporter telemetry) {
        this.queue = queue;
        this.queueName = queueName;
        this.handlers = handlers;
        this.telemetry = telemetry;
        this.freeSlots = new Semaphore(concurrency);
        this.slots = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("fleet-job-", 1).factory());
        this.feed = new ClaimAhead(queue, queueName, runnerId, concurrency, claimAhead, claimWait);
        this.completer = new BatchCompleter(queue, completeWindow, completeBatch);
    }

    public void start() {
        dispatching = true;
        feed.start();
        dispatcher = Thread.ofPlatform().name("fleet-dispatch").start(this::dispatchWhileRunning);
        leaseTimer.scheduleWithFixedDelay(this::heartbeatDueLeases, 100, 100, TimeUnit.MILLISECONDS);
    }

    public JobStats stats() {
        return stats;
    }

    public int busySlots() {
        return running.size();
    }

    /** Claimed jobs waiting in the local buffer for a slot. */
    public int bufferedJobs() {
        return feed.buffered();
    }

    /**
     * Claims no more and starts no buffered job. The claim in flight is not cut off (its jobs
     * would be lost to us until their lease ran out); the buffer, with whatever that claim still
     * brings, is given straight back, the attempts not counted.
     */
    public synchronized void stopClaiming() {
        if (stopper != null) {
            return;
        }
        dispatching = false;
        stopper = Thread.ofPlatform().name("fleet-claim-stop").start(() -> {
            try {
                if (dispatcher != null) {
                    dispatcher.join();
                }
                int back = feed.stop();
                stats.released.addAndGet(back);
                if (back > 0) {
                    LOG.log(System.Logger.Level.INFO, "gave " + back + " buffered jobs back to queue " + queueName);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Waits until claiming has stopped, no job runs and every outcome is answered for, up to
     * {@code deadline}; true if so.
     */
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            if (idle()) {
                return true;
            }
            Thread.sleep(20);
        }
        return idle();
    }

    private boolean idle() {
        Thread stopping = stopper;
        return running.isEmpty() && unanswered.get() == 0 && (dispatcher == null || !dispatcher.isAlive())
                && (stopping == null || !stopping.isAlive());
    }

    /**
     * Stops the jobs still running and gives them back to the queue without using up an attempt;
     * returns how many went back. Jobs whose handler already finished are left to report.
     */
    public int giveBackRunning() throws InterruptedException {
        List<RunningJob> taken = running.values().stream().filter(RunningJob::takeAway).toList();
        if (taken.isEmpty()) {
            return 0;
        }
        // Let the interrupted handlers stop before the jobs may start elsewhere.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (taken.stream().anyMatch(job -> running.containsKey(job.job.id())) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        long back = queue.release(taken.stream().map(job -> job.job).toList()).stream().filter(LeaseResult::ok).count();
        stats.released.addAndGet(back);
        LOG.log(System.Logger.Level.INFO, "gave " + back + " of " + taken.size() + " unfinished jobs back to queue "
                + queueName);
        return (int) back;
    }

    @Override
    public void close() {
        dispatching = false;
        feed.close();
        completer.close(Duration.ofSeconds(1));
        leaseTimer.shutdownNow();
        slots.shutdownNow();
    }

    private void dispatchWhileRunning() {
        while (dispatching) {
            try {
                if (!freeSlots.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                ClaimedJob job = dispatching ? feed.take(POLL) : null;
                if (job == null) {
                    freeSlots.release();
                    continue;
                }
                stats.claimed.incrementAndGet();
                run(job);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void run(ClaimedJob job) {
        RunningJob held = new RunningJob(job, Duration.between(Instant.now(), job.leaseExpiresAt()));
        running.put(job.id(), held);
        held.executing(slots.submit(() -> execute(held)));
    }

    private void execute(RunningJob held) {
        ClaimedJob job = held.job;
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        Outcome outcome = null;
        try {
            try {
                outcome = Outcome.completed(job, handlers.forJob(job).handle(job));
            } catch (JobFailure failure) {
                outcome = Outcome.failed(job, truncate(failure.getMessage()), failure.retryable());
            } catch (Exception e) {
                outcome = held.takenAway() ? null : Outcome.failed(job, truncate(e.toString()), true);
            }
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            running.remove(job.id());
            if (outcome != null && held.finish()) {
                report(outcome, took, startedAt);
            } else {
                feed.done(job); // taken away: given back or lost, nothing to report
            }
            freeSlots.release();
        }
    }

    /** Hands the outcome to the completer; its answer is counted (and frees room to claim) when it comes. */
    private void report(Outcome outcome, Duration took, Instant startedAt) {
        ClaimedJob job = outcome.job();
        unanswered.incrementAndGet();
        completer.submit(outcome).whenComplete((ack, error) -> {
            try {
                boolean recorded = error == null && ack == Acknowledgement.ACKNOWLEDGED;
                if (error != null) {
                    LOG.log(System.Logger.Level.ERROR, "job " + job.id() + " could not be reported: " + error);
                } else if (!recorded) {
                    stats.leasesLost.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "job " + job.id() + " finished after its lease was lost;"
                            + " queue-service did not record this outcome");
                } else {
                    (outcome.success() ? stats.completed : stats.failed).incrementAndGet();
                }
                if (telemetry != null) {
                    telemetry.record("job." + job.kind(), took, recorded && outcome.success(),
                            sampleAttributes(job, startedAt));
                }
            } finally {
                feed.done(job);
                unanswered.decrementAndGet();
            }
        });
    }

    /**
     * The job sample's attributes; priority and waitMs (due → started here, including time in the
     * claim-ahead buffer) are what telemetry-service's job-wait SLO reads.
     */
    private static Map<String, Object> sampleAttributes(ClaimedJob job, Instant startedAt) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("queue", job.queue());
        attributes.put("attempt", job.attempt());
        if (job.priority() != null) {
            attributes.put("priority", job.priority());
        }
        if (job.runAt() != null) {
            attributes.put("waitMs", Math.max(0, Duration.between(job.runAt(), startedAt).toMillis()));
        }
        return attributes;
    }

    private void heartbeatDueLeases() {
        long now = System.nanoTime();
        List<RunningJob> due = running.values().stream().filter(job -> job.heartbeatDue(now)).toList();
        if (due.isEmpty()) {
            return;
        }
        try {
            for (LeaseResult result : queue.heartbeat(due.stream().map(job -> job.job).toList())) {
                RunningJob held = running.get(result.jobId());
                if (held == null) {
                    continue;
                }
                if (result.ok()) {
                    held.scheduleHeartbeat(Duration.between(Instant.now(), result.leaseExpiresAt()));
                } else if (held.takeAway()) {
                    stats.leasesLost.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "lease of job " + result.jobId() + " lost (" + result.outcome()
                            + ", " + result.state() + "); its handler was stopped");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "lease heartbeat failed: " + e.getMessage());
        }
    }

    private static String truncate(String message) {
        String text = message == null ? "failed" : message;
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS);
    }
}
