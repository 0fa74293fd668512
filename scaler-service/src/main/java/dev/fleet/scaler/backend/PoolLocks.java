package dev.fleet.scaler.backend;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** One lock per pool: a backend's calls for one pool run one at a time, other pools' beside them. */
public final class PoolLocks {

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T withPool(String pool, Supplier<T> call) {
        ReentrantLock lock = locks.computeIfAbsent(pool, p -> new ReentrantLock());
        lock.lock();
        try {
            return call.get();
        } finally {
            lock.unlock();
        }
    }
}
