package dev.fleet.gateway.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps retries to a share of requests: every request earns {@code ratio} of a retry, every retry
 * spends one. It starts with {@code reserve} so a quiet pool can retry at all, and saves at most
 * ten times that, so a long calm cannot fund a retry storm. Lock-free (one CAS per retry).
 */
public final class RetryBudget {

    private static final long ONE = 1_000;

    private final long earnedPerRequest;
    private final long cap;
    private final AtomicLong balance;

    public RetryBudget(double ratio, int reserve) {
        this.earnedPerRequest = Math.round(ratio * ONE);
        this.cap = Math.max(1, reserve) * 10 * ONE;
        this.balance = new AtomicLong(reserve * ONE);
    }

    public void onRequest() {
        if (earnedPerRequest > 0 && balance.get() < cap) {
            balance.addAndGet(earnedPerRequest);
        }
    }

    /** Spends one retry if the budget has one. */
    public boolean tryRetry() {
        while (true) {
            long current = balance.get();
            if (current < ONE) {
                return false;
            }
            if (balance.compareAndSet(current, current - ONE)) {
                return true;
            }
        }
    }
}
