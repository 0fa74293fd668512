package dev.fleet.runner.job;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.client.Acknowledgement;
import dev.fleet.client.ClaimedJob;
import dev.fleet.client.LeaseResult;
import dev.fleet.client.QueueClient;
import dev.fleet.client.TelemetryReporter;

/**
 * The runner's job slots: one thread claims (long-poll) as many jobs as there are free slots,
 * each job runs on a slot's thread, a timer keeps the running jobs' leases alive (a job whose
 * lease is lost is stopped), and every outcome is reported until queue-service acknowledges it.
 * A slot frees only once its job's outcome is recorded.
 */
public final class JobLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobLoop.class.getName());
    private static final int MAX_ERROR_CHARS = 2000;

    private final QueueClient queue;
    private final String queueName;
    private final String runnerId;
    private final Duration claimWait;
    private final JobHandlers handlers;
    private final TelemetryReporter telemetry;
    private final Semaphore freeSlots;
    private final ExecutorService slots;
    private final ScheduledExecutorService leaseTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-leases").daemon().factory());
    private final Map<Long, RunningJob> running = new ConcurrentHashMap<>();
    private final JobStats stats = new JobStats();
    private volatile boolean claiming;
    private Thread claimer;

    /** @param telemetry where job timings go, or null */
    public JobLoop(QueueClient queue, String queueName, String runnerId, int concurrency, Duration claimWait,
            JobHandlers handlers, TelemetryReporter telemetry) {
        this.queue = queue;
        this.queueName = queueName;
        this.runnerId = runnerId;
        this.claimWait = claimWait;
        this.handlers = handlers;
        this.telemetry = telemetry;
        this.freeSlots = new Semaphore(concurrency);
        this.slots = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("fleet-job-", 1).factory());
    }

    public void start() {
        claiming = true;
        claimer = Thread.ofPlatform().name("fleet-claim").start(this::claimWhileRunning);
        leaseTimer.scheduleWithFixedDelay(this::heartbeatDueLeases, 100, 100, TimeUnit.MILLISECONDS);
    }

    public JobStats stats() {
        return stats;
    }

    public int busySlots() {
        return running.size();
    }

    /**
     * Claims no more. The claim in flight is not cut off (its jobs would be lost to us until their
     * lease ran out); whatever it still brings is given straight back.
     */
    public void stopClaiming() {
        claiming = false;
    }

    /** Waits until the claimer has stopped and no job runs, up to {@code deadline}; true if so. */
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            if (running.isEmpty() && (claimer == null || !claimer.isAlive())) {
                return true;
            }
            Thread.sleep(20);
        }
        return running.isEmpty();
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
        claiming = false;
        leaseTimer.shutdownNow();
        slots.shutdownNow();
    }

    private void claimWhileRunning() {
        while (claiming) {
            try {
                if (!freeSlots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            int free = 1 + freeSlots.drainPermits();
            List<ClaimedJob> jobs;
            try {
                jobs = queue.claim(queueName, runnerId, free, claimWait);
            } catch (CancellationException e) {
                freeSlots.release(free);
                return;
            } catch (RuntimeException e) {
                freeSlots.release(free);
                LOG.log(System.Logger.Level.WARNING, "claim from queue " + queueName + " failed: " + e.getMessage());
                pause(Duration.ofSeconds(1));
                continue;
            }
            freeSlots.release(free - jobs.size());
            stats.claimed.addAndGet(jobs.size());
            if (!claiming) {
                giveBack(jobs);
                return;
            }
            jobs.forEach(this::run);
        }
    }

    private void run(ClaimedJob job) {
        RunningJob held = new RunningJob(job, Duration.between(Instant.now(), job.leaseExpiresAt()));
        running.put(job.id(), held);
        held.executing(slots.submit(() -> execute(held)));
    }

    private void execute(RunningJob held) {
        ClaimedJob job = held.job;
        long started = System.nanoTime();
        boolean ok = false;
        try {
            JsonNode result;
            try {
                result = handlers.forJob(job).handle(job);
            } catch (JobFailure failure) {
                report(held, () -> queue.fail(job, truncate(failure.getMessage()), failure.retryable()), false);
                return;
            } catch (Exception e) {
                if (!held.takenAway()) {
                    report(held, () -> queue.fail(job, truncate(e.toString()), true), false);
                }
                return;
            }
            ok = report(held, () -> queue.complete(job, result), true);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "job " + job.id() + " could not be reported: " + e);
        } finally {
            running.remove(job.id());
            freeSlots.release();
            if (telemetry != null) {
                telemetry.record("job." + job.kind(), Duration.ofNanos(System.nanoTime() - started), ok,
                        Map.of("queue", job.queue(), "attempt", job.attempt()));
            }
        }
    }

    /** Sends the job's outcome unless the job was taken away; true if a success was recorded. */
    private boolean report(RunningJob held, Supplier<Acknowledgement> send, boolean success) {
        if (!held.finish()) {
            return false;
        }
        if (send.get() == Acknowledgement.LEASE_LOST) {
            stats.leasesLost.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "job " + held.job.id() + " finished after its lease was lost;"
                    + " queue-service did not record this outcome");
            return false;
        }
        (success ? stats.completed : stats.failed).incrementAndGet();
        return success;
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

    private void giveBack(List<ClaimedJob> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        try {
            stats.released.addAndGet(queue.release(jobs).stream().filter(LeaseResult::ok).count());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not give back " + jobs.size() + " jobs claimed while stopping;"
                    + " they return when their lease ends: " + e.getMessage());
        }
    }

    private static String truncate(String message) {
        String text = message == null ? "failed" : message;
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS);
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
