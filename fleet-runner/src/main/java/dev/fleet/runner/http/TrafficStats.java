package dev.fleet.runner.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Live HTTP figures for heartbeats: open connections and an exponentially weighted average response time. */
public final class TrafficStats {

    private static final double WEIGHT = 0.1;

    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private volatile double avgResponseMs;

    void opened() {
        connections.incrementAndGet();
    }

    void closed() {
        connections.decrementAndGet();
    }

    synchronized void responded(double ms) {
        avgResponseMs = requests.getAndIncrement() == 0 ? ms : avgResponseMs + WEIGHT * (ms - avgResponseMs);
    }

    public int activeConnections() {
        return connections.get();
    }

    public long requests() {
        return requests.get();
    }

    public double avgResponseMs() {
        return Math.round(avgResponseMs * 100) / 100.0;
    }
}
