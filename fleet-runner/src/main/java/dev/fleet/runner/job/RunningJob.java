package dev.fleet.runner.job;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import dev.fleet.client.ClaimedJob;

/**
 * A claimed job while this runner holds it. Its end is decided once: either its handler finished
 * (and its outcome will be reported) or it was taken away (lease lost, or given back at
 * shutdown) — never both, so a job given back is never also reported done.
 */
final class RunningJob {

    enum End { FINISHED, TAKEN_AWAY }

    final ClaimedJob job;
    private final AtomicReference<End> end = new AtomicReference<>();
    private volatile Future<?> execution;
    private volatile long nextHeartbeatNanos;

    RunningJob(ClaimedJob job, Duration leaseLeft) {
        this.job = job;
        scheduleHeartbeat(leaseLeft);
    }

    void executing(Future<?> execution) {
        this.execution = execution;
        if (takenAway()) { // taken away before it started: make sure it stops
            execution.cancel(true);
        }
    }

    /** The handler is done: true if its outcome is ours to report. */
    boolean finish() {
        return end.compareAndSet(null, End.FINISHED);
    }

    /** Takes the job away from its handler (interrupting it): true if it had not finished first. */
    boolean takeAway() {
        if (!end.compareAndSet(null, End.TAKEN_AWAY)) {
            return false;
        }
        Future<?> running = execution;
        if (running != null) {
            running.cancel(true);
        }
        return true;
    }

    boolean takenAway() {
        return end.get() == End.TAKEN_AWAY;
    }

    boolean heartbeatDue(long nowNanos) {
        return end.get() == null && nowNanos >= nextHeartbeatNanos;
    }

    /** The next heartbeat goes out after a third of the lease just granted (at least 100 ms). */
    void scheduleHeartbeat(Duration leaseLeft) {
        long third = Math.max(100_000_000L, leaseLeft.toNanos() / 3);
        nextHeartbeatNanos = System.nanoTime() + third;
    }
}
