package dev.fleet.gateway.health;

/**
 * One instance's state for one health layer: when the next check is due, whether one is in flight,
 * and the run of failures or successes that decides when the layer flips. Flipping needs a run
 * (not a single result) in both directions, so one lost packet neither ejects an instance from
 * the pick table nor lets a flapping one straight back in.
 */
final class LayerTracker {

    /** What a result changed about the layer. */
    enum Change {
        NONE, FAILED, RECOVERED
    }

    private long nextDueNanos;
    private boolean inFlight;
    private boolean failed;
    private int failuresInRow;
    private int successesInRow;

    LayerTracker(boolean failed, long firstDueNanos) {
        this.failed = failed;
        this.nextDueNanos = firstDueNanos;
    }

    /** Claims the next check if it is due and none is in flight; the one after is due an interval after this start. */
    synchronized boolean tryStart(long nowNanos, long intervalNanos) {
        if (inFlight || nowNanos - nextDueNanos < 0) {
            return false;
        }
        inFlight = true;
        nextDueNanos = nowNanos + intervalNanos;
        return true;
    }

    /** Records the finished check → whether the layer now fails ({@code failuresToFail} in a row) or recovered. */
    synchronized Change record(boolean passed, int failuresToFail, int successesToRecover) {
        inFlight = false;
        if (passed) {
            failuresInRow = 0;
            if (!failed) {
                return Change.NONE;
            }
            if (++successesInRow < Math.max(1, successesToRecover)) {
                return Change.NONE;
            }
            failed = false;
            successesInRow = 0;
            return Change.RECOVERED;
        }
        successesInRow = 0;
        failuresInRow++;
        if (failed || failuresInRow < Math.max(1, failuresToFail)) {
            return Change.NONE;
        }
        failed = true;
        return Change.FAILED;
    }

    synchronized boolean failed() {
        return failed;
    }

    synchronized boolean inFlight() {
        return inFlight;
    }
}
