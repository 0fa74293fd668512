package dev.fleet.gateway.pool;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for a free instance slot, by priority class (P0 first, then arrival). Bounded:
 * {@link #offer} refuses beyond the capacity. Only requests that found every instance full come
 * here, so the lock is off the normal request path.
 */
public final class WaitQueue {

    public static final int CLASSES = 7;

    /** A waiting request. */
    public interface Waiter {

        int priority();

        /** Tries to take a slot and, if it got one, starts the request there → whether it started. */
        boolean tryStart();
    }

    private final int capacity;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Waiter>[] classes = new ArrayDeque[CLASSES];
    private final AtomicInteger size = new AtomicInteger();

    public WaitQueue(int capacity) {
        this.capacity = capacity;
        for (int i = 0; i < CLASSES; i++) {
            classes[i] = new ArrayDeque<>();
        }
    }

    public int size() {
        return size.get();
    }

    public synchronized boolean offer(Waiter waiter) {
        if (size.get() >= capacity) {
            return false;
        }
        classes[waiter.priority()].addLast(waiter);
        size.incrementAndGet();
        return true;
    }

    /** Takes a waiter out (deadline passed, client gone) → false if it had already started. */
    public synchronized boolean remove(Waiter waiter) {
        if (classes[waiter.priority()].remove(waiter)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Starts waiters in priority order while they find slots. A waiter that finds none (its pinned
     * instance is full) stays, and the next ones are tried, up to {@code maxMisses} such misses.
     */
    public synchronized void dispatch(int maxMisses) {
        int misses = 0;
        for (ArrayDeque<Waiter> queue : classes) {
            Iterator<Waiter> it = queue.iterator();
            while (it.hasNext()) {
                Waiter waiter = it.next();
                if (waiter.tryStart()) {
                    it.remove();
                    size.decrementAndGet();
                } else if (++misses >= maxMisses) {
                    return;
                }
            }
        }
    }
}
