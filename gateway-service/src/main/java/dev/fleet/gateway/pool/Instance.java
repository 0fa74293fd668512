package dev.fleet.gateway.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream of a pool (a runner, or an address from configuration) and everything the gateway
 * knows of it. The request path only reads volatile fields and bumps atomics; state changes
 * (health, ejection, drain) are rare and synchronized, and take effect for new requests at the
 * pool's next {@link Pool#refresh}.
 */
public final class Instance {

    /** Weight EWMA: each response moves the average this far towards itself. */
    private static final double LATENCY_ALPHA = 0.1;
    /** Pick latency: each response moves it this far towards itself (like the weight EWMA, but forgotten over time). */
    private static final double PICK_LATENCY_ALPHA = 0.1;

    private final String id;
    private final String pool;
    private final Address address;
    private final String source;

    private volatile ReportedLoad reported;
    private volatile Double weightOverride;
    private volatile boolean drainingReported;
    private volatile boolean drainingByAdmin;

    /** Active health layers that currently fail, one bit each (see {@code health.HealthLayer}). */
    private volatile int failedLayers;
    private volatile String healthReason = "";

    private volatile boolean ejected;
    private volatile long ejectedUntilNanos;
    private volatile String ejectionReason = "";
    private int ejections;
    private long lastEjectionEndNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private int slowChecks;

    /** Start of the current slow-start ramp: when the instance last became usable. */
    private volatile long usableSinceNanos;

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile double latencyEwmaMs;
    private volatile double pickLatencyMs;
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder ejectionsTotal = new LongAdder();

    public Instance(String id, String pool, Address address, String source, ReportedLoad reported, long nowNanos) {
        this.id = id;
        this.pool = pool;
        this.address = address;
        this.source = source;
        this.reported = reported;
        this.usableSinceNanos = nowNanos;
    }

    public String id() {
        return id;
    }

    public String pool() {
        return pool;
    }

    public Address address() {
        return address;
    }

    /** {@code config} or {@code session-service}. */
    public String source() {
        return source;
    }

    // --- load and weight ---------------------------------------------------------------------

    public ReportedLoad reported() {
        return reported;
    }

    public void report(ReportedLoad load) {
        this.reported = load;
    }

    public Double weightOverride() {
        return weightOverride;
    }

    /** An admin's fixed weight, replacing the formula; null restores it. */
    public void overrideWeight(Double weight) {
        this.weightOverride = weight;
    }

    /** The weight before slow start: the admin's override, else the formula over reported load and measured latency. */
    public double baseWeight() {
        Double override = weightOverride;
        return override != null ? override : reported.weight(latencyEwmaMs);
    }

    /** The weight the balancers use: base weight scaled by the slow-start ramp (at least 10% of it). */
    public double effectiveWeight(long nowNanos, long slowStartNanos) {
        double weight = baseWeight();
        if (slowStartNanos <= 0) {
            return weight;
        }
        double ramp = (double) (nowNanos - usableSinceNanos) / slowStartNanos;
        return ramp >= 1 ? weight : weight * Math.max(0.1, ramp);
    }

    public boolean inSlowStart(long nowNanos, long slowStartNanos) {
        return nowNanos - usableSinceNanos < slowStartNanos;
    }

    // --- in flight and latency ---------------------------------------------------------------

    public int inFlight() {
        return inFlight.get();
    }

    /** Takes one of its {@code max} request slots, if one is free. */
    public boolean tryAcquire(int max) {
        while (true) {
            int current = inFlight.get();
            if (current >= max) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public double latencyEwmaMs() {
        return latencyEwmaMs;
    }

    /**
     * What the balancer judges this instance by: its time per request in flight, an EWMA of each
     * answer's latency ÷ the requests it had in flight when that one was sent ({@link #PICK_LATENCY_ALPHA},
     * so that one hiccup of a busy host does not make it look slow). An instance that serves one request
     * at a time and queues the rest shows its service time whatever its queue; one that serves them
     * side by side shows its latency at the load it has. (in flight + 1) × this is then the wait a new
     * request can expect, without counting the queue twice (a latency under load already holds it).
     * {@link #decayPickLatency} also pulls it towards the pool's fastest over time, so an instance that
     * gets no traffic because it was slow is tried again. 0: no sample yet.
     */
    public double pickLatencyMs() {
        return pickLatencyMs;
    }

    /** Forgets part of the pick latency: {@code latency = floor + (latency − floor) × keep} when above {@code floor}. */
    public void decayPickLatency(double floorMs, double keep) {
        double latency = pickLatencyMs;
        if (latency > floorMs) {
            pickLatencyMs = floorMs + (latency - floorMs) * keep;
        }
    }

    /**
     * One finished exchange counted whole, as if it had the instance to itself ({@link #recordOutcome(double, int, boolean)}
     * with 1 in flight): a timeout, or a WebSocket handshake, whose open tunnels are no queue it waited behind.
     */
    public void recordOutcome(double latencyMs, boolean failed) {
        recordOutcome(latencyMs, 1, failed);
    }

    /**
     * One finished exchange: its latency to the response headers, the instance's requests in flight
     * when it was sent (itself included), and whether it counts as a failure.
     */
    public void recordOutcome(double latencyMs, int inFlightAtSend, boolean failed) {
        requests.increment();
        double previous = latencyEwmaMs;
        // Racy read-modify-write: a lost sample among concurrent ones does not matter to an average.
        latencyEwmaMs = previous == 0 ? latencyMs : previous + LATENCY_ALPHA * (latencyMs - previous);
        double perRequest = latencyMs / Math.max(1, inFlightAtSend);
        double pick = pickLatencyMs;
        pickLatencyMs = pick == 0 ? perRequest : pick + PICK_LATENCY_ALPHA * (perRequest - pick);
        if (failed) {
            failures.increment();
            consecutiveFailures.incrementAndGet();
        } else if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** A connect failure: no latency to learn from, but it counts towards ejection. */
    public int recordConnectFailure() {
        requests.increment();
        failures.increment();
        return consecutiveFailures.incrementAndGet();
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public long requestsTotal() {
        return requests.sum();
    }

    public long failuresTotal() {
        return failures.sum();
    }

    // --- draining ----------------------------------------------------------------------------

    public boolean draining() {
        return drainingReported || drainingByAdmin;
    }

    public boolean drainingByAdmin() {
        return drainingByAdmin;
    }

    /** session-service says the runner drains. */
    public void reportDraining(boolean draining) {
        this.drainingReported = draining;
    }

    public void drainByAdmin(boolean draining) {
        this.drainingByAdmin = draining;
    }

    // --- active health -----------------------------------------------------------------------

    public boolean healthy() {
        return failedLayers == 0;
    }

    public int failedLayers() {
        return failedLayers;
    }

    public String healthReason() {
        return healthReason;
    }

    /** An active-check layer ({@code bit}) failed or recovered; a recovery that makes it healthy starts slow start. */
    public synchronized void markLayer(int bit, boolean failed, String reason, long nowNanos) {
        int before = failedLayers;
        int after = failed ? before | bit : before & ~bit;
        if (failed) {
            healthReason = reason;
        } else if (after == 0) {
            healthReason = "";
        }
        failedLayers = after;
        if (before != 0 && after == 0) {
            usableSinceNanos = nowNanos;
        }
    }

    // --- ejection ----------------------------------------------------------------------------

    public boolean ejected() {
        return ejected;
    }

    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    public String ejectionReason() {
        return ejectionReason;
    }

    public long ejectionsTotal() {
        return ejectionsTotal.sum();
    }

    /**
     * Ejects the instance for {@code base × n} (capped at {@code max}), n growing with each ejection
     * that follows the last one within {@code max}; after a calm {@code max} it starts again at one.
     */
    public synchronized long eject(String reason, long nowNanos, long baseNanos, long maxNanos) {
        if (lastEjectionEndNanos != 0 && nowNanos - lastEjectionEndNanos > maxNanos) {
            ejections = 0;
        }
        ejections++;
        long duration = Math.min(maxNanos, baseNanos * ejections);
        ejectedUntilNanos = nowNanos + duration;
        ejectionReason = reason;
        ejected = true;
        ejectionsTotal.increment();
        return duration;
    }

    /** Ends an ejection whose time is up → true if it ended now; the instance slow-starts afresh. */
    public synchronized boolean endEjectionIfDue(long nowNanos) {
        if (!ejected || nowNanos < ejectedUntilNanos) {
            return false;
        }
        ejected = false;
        ejectionReason = "";
        lastEjectionEndNanos = nowNanos;
        consecutiveFailures.set(0);
        slowChecks = 0;
        latencyEwmaMs = 0;
        pickLatencyMs = 0;
        usableSinceNanos = nowNanos;
        return true;
    }

    /** Latency-outlier bookkeeping: consecutive checks this instance was found too slow (0 resets). */
    public synchronized int countSlowCheck(boolean slow) {
        slowChecks = slow ? slowChecks + 1 : 0;
        return slowChecks;
    }

    /** Takes part in picks: not draining, passing every health layer, not ejected. */
    public boolean usable() {
        return !draining() && failedLayers == 0 && !ejected;
    }

    /** The state as the admin API names it. */
    public String state() {
        if (draining()) {
            return "draining";
        }
        if (failedLayers != 0) {
            return "unhealthy";
        }
        return ejected ? "ejected" : "healthy";
    }

    @Override
    public String toString() {
        return pool + "/" + id + "@" + address;
    }
}
