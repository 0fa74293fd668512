package dev.fleet.gateway.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.fleet.gateway.balance.Balancer;
import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.config.GatewayConfig.PoolConfig;

/**
 * A named set of instances with its settings, pick table, in-flight count, wait queue and retry
 * budget. Membership comes from sources ({@code config}, {@code session-service}); each replaces
 * only its own instances.
 */
public final class Pool {

    /** Waiters a dispatch may find without a slot before it stops looking further down the queue. */
    private static final int DISPATCH_MISSES = 16;
    /**
     * How fast pick latencies are forgotten (time constant): an instance that was slow and so gets no
     * traffic looks like the pool's fastest again after a few of these, and is tried again.
     */
    private static final double PICK_LATENCY_MEMORY_NANOS = 1e9;

    private final String name;
    private final PoolConfig settings;
    private final Map<String, Instance> members = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final WaitQueue waiting;
    private final RetryBudget retryBudget;
    private volatile PoolSnapshot snapshot = PoolSnapshot.EMPTY;
    private long latenciesDecayedNanos;

    public Pool(String name, PoolConfig settings, RetryBudget retryBudget) {
        this.name = name;
        this.settings = settings;
        this.retryBudget = retryBudget;
        this.waiting = new WaitQueue(settings.queueSize());
    }

    public String name() {
        return name;
    }

    public PoolConfig settings() {
        return settings;
    }

    public PoolSnapshot snapshot() {
        return snapshot;
    }

    public WaitQueue waiting() {
        return waiting;
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public int inFlight() {
        return inFlight.get();
    }

    // --- membership --------------------------------------------------------------------------

    public Collection<Instance> members() {
        return members.values();
    }

    public Instance member(String id) {
        return members.get(id);
    }

    /**
     * Makes {@code source}'s instances exactly {@code current}: new ones join, missing ones leave,
     * and ones already known keep their state (in flight, ejection, health) and take the new load.
     */
    public synchronized void replaceMembers(String source, Collection<Instance> current, long nowNanos) {
        Map<String, Instance> wanted = new ConcurrentHashMap<>();
        current.forEach(instance -> wanted.put(instance.id(), instance));
        members.values().removeIf(known -> known.source().equals(source) && !wanted.containsKey(known.id()));
        wanted.forEach((id, incoming) -> upsert(incoming));
        refresh(nowNanos);
    }

    /** Adds an instance, or updates a known one's reported load and draining flag. */
    public synchronized void upsert(Instance incoming) {
        Instance known = members.get(incoming.id());
        if (known == null || !known.address().equals(incoming.address())) {
            members.put(incoming.id(), incoming);
        } else {
            known.report(incoming.reported());
            known.reportDraining(incoming.draining() && !incoming.drainingByAdmin());
        }
    }

    public synchronized void remove(String id, long nowNanos) {
        if (members.remove(id) != null) {
            refresh(nowNanos);
        }
    }

    // --- pick table --------------------------------------------------------------------------

    /**
     * Ends due ejections and rebuilds the pick table: usable instances with their effective weights,
     * or, when fewer than the panic threshold's share of non-draining instances are usable, all of
     * those (better a failing instance than certain failure).
     */
    public synchronized void refresh(long nowNanos) {
        long slowStartNanos = settings.slowStart().toNanos();
        List<Instance> usable = new ArrayList<>();
        List<Instance> notDraining = new ArrayList<>();
        for (Instance instance : members.values()) {
            instance.endEjectionIfDue(nowNanos);
            if (!instance.draining()) {
                notDraining.add(instance);
                if (instance.usable()) {
                    usable.add(instance);
                }
            }
        }
        boolean panic = !notDraining.isEmpty() && usable.size() * 100 < settings.panicThreshold() * notDraining.size();
        List<Instance> chosen = panic ? notDraining : usable;
        chosen.sort((a, b) -> a.id().compareTo(b.id()));
        Instance[] candidates = chosen.toArray(new Instance[0]);
        double[] weights = new double[candidates.length];
        double fastest = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = candidates[i].effectiveWeight(nowNanos, slowStartNanos);
            double latency = candidates[i].pickLatencyMs();
            if (latency > 0 && (fastest == 0 || latency < fastest)) {
                fastest = latency;
            }
        }
        decayPickLatencies(candidates, fastest, nowNanos);
        snapshot = new PoolSnapshot(candidates, weights, panic, snapshot.ring(), fastest);
    }

    /** Pulls every candidate's pick latency towards the fastest's, by the time since the last decay. */
    private void decayPickLatencies(Instance[] candidates, double fastest, long nowNanos) {
        long elapsed = latenciesDecayedNanos == 0 ? 0 : nowNanos - latenciesDecayedNanos;
        latenciesDecayedNanos = nowNanos;
        if (elapsed <= 0 || fastest == 0) {
            return;
        }
        double keep = Math.exp(-elapsed / PICK_LATENCY_MEMORY_NANOS);
        for (Instance candidate : candidates) {
            candidate.decayPickLatency(fastest, keep);
        }
    }

    /** Whether one more instance may be ejected without passing the pool's maximum ejected share. */
    public boolean mayEject() {
        int ejected = 0;
        for (Instance instance : members.values()) {
            if (instance.ejected()) {
                ejected++;
            }
        }
        return (ejected + 1) * 100 <= settings.ejection().maxPercent() * Math.max(1, members.size());
    }

    // --- slots -------------------------------------------------------------------------------

    /**
     * Takes a request slot on the balancer's choice or, when that one is full and the balancer is not
     * pinned, on the least loaded candidate with room → the instance, or null when every fitting one
     * is full (or there is none: see {@link PoolSnapshot#size}).
     */
    public Instance acquire(Balancer balancer, Pick pick) {
        PoolSnapshot table = snapshot;
        int max = settings.maxConcurrency();
        Instance chosen = balancer.pick(table, pick);
        if (chosen != null && chosen.tryAcquire(max)) {
            inFlight.incrementAndGet();
            return chosen;
        }
        if (balancer.pinned()) {
            return null;
        }
        Instance fallback = leastLoadedWithRoom(table, pick.avoid(), max);
        if (fallback != null) {
            inFlight.incrementAndGet();
        }
        return fallback;
    }

    private static Instance leastLoadedWithRoom(PoolSnapshot table, Instance avoid, int max) {
        int n = table.size();
        int offset = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
        for (int attempt = 0; attempt < 3; attempt++) {
            Instance best = null;
            double bestScore = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                int index = (offset + i) % n;
                Instance candidate = table.get(index);
                double score = candidate.inFlight() / table.weight(index);
                if (candidate != avoid && candidate.inFlight() < max && score < bestScore) {
                    best = candidate;
                    bestScore = score;
                }
            }
            if (best == null) {
                return null;
            }
            if (best.tryAcquire(max)) {
                return best;
            }
        }
        return null;
    }

    /** Gives a slot back and lets waiting requests at it. */
    public void release(Instance instance) {
        instance.release();
        inFlight.decrementAndGet();
        if (waiting.size() > 0) {
            waiting.dispatch(DISPATCH_MISSES);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
