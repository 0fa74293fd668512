package dev.fleet.runner.job;

import java.util.concurrent.atomic.AtomicLong;

/** What this runner has done with its jobs, for its health page and logs. */
public final class JobStats {

    final AtomicLong claimed = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong released = new AtomicLong();
    final AtomicLong leasesLost = new AtomicLong();

    public long claimed() {
        return claimed.get();
    }

    public long completed() {
        return completed.get();
    }

    public long failed() {
        return failed.get();
    }

    public long released() {
        return released.get();
    }

    public long leasesLost() {
        return leasesLost.get();
    }
}
