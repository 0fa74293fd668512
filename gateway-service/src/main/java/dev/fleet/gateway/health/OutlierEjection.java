package dev.fleet.gateway.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.config.GatewayConfig.Ejection;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Passive health: takes an instance out of its pool's pick table for a while when real traffic
 * shows it failing (a run of 5xx answers or connect failures) or far slower than its peers (latency
 * EWMA above {@code latency-factor} × the pool's median for {@code latency-checks} sweeps). It reacts
 * within a few requests, long before an active check notices, but never ejects more than
 * {@code max-percent} of a pool: past that, a failing instance is better than no instance. Ejections
 * end in {@link Pool#refresh}, and each repeat lasts longer ({@link Instance#eject}).
 */
@Singleton
public class OutlierEjection {

    private static final Logger LOG = Logger.getLogger(OutlierEjection.class);

    /** {@code reason} tag values of {@code fleet_gateway_ejections_total}. */
    public static final String FAILURES = "failures";
    public static final String LATENCY = "latency";

    /** With fewer measured instances a "median" says nothing about which one is the outlier. */
    static final int MIN_MEASURED = 3;

    /** The sweep tick is never slower than this (the grain of latency-interval) and not faster than the minimum. */
    static final Duration SWEEP_TICK_MAX = Duration.ofSeconds(1);
    static final Duration SWEEP_TICK_MIN = Duration.ofMillis(100);

    private final Pools pools;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final MeterRegistry meters;
    /** Per pool name, when its next latency sweep is due. */
    private final Map<String, Long> nextSweepNanos = new ConcurrentHashMap<>();
    private long timer = -1;

    OutlierEjection(Pools pools, GatewayConfig config, Vertx vertx, MeterRegistry meters) {
        this.pools = pools;
        this.config = config;
        this.vertx = vertx;
        this.meters = meters;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(sweepTickMillis(), id -> sweepDuePools(System.nanoTime()));
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /**
     * The proxy's report after a 5xx or connect failure, with the instance's consecutive failures
     * so far; ejects the instance once they reach {@code consecutive-failures}.
     */
    public void afterFailure(Pool pool, Instance instance, int consecutiveFailures, String reason) {
        // Cheap checks first: this runs on the request path for every failure.
        if (consecutiveFailures < pool.settings().ejection().consecutiveFailures() || instance.ejected()) {
            return;
        }
        eject(pool, instance, FAILURES, consecutiveFailures + " consecutive failures, last: " + reason);
    }

    /** Sweeps every pool whose latency interval has passed since its last sweep. */
    public void sweepDuePools(long nowNanos) {
        for (Pool pool : pools.all()) {
            long interval = pool.settings().ejection().latencyInterval().toNanos();
            Long due = nextSweepNanos.putIfAbsent(pool.name(), nowNanos + interval);
            if (due != null && nowNanos - due >= 0) {
                nextSweepNanos.put(pool.name(), nowNanos + interval);
                sweepLatency(pool);
            }
        }
    }

    /**
     * One latency-outlier check of a pool: each usable instance with a latency EWMA is found slow or
     * not against the pool's median; one slow for {@code latency-checks} sweeps in a row is ejected
     * → how many were ejected.
     */
    public int sweepLatency(Pool pool) {
        Ejection rules = pool.settings().ejection();
        List<Instance> measured = new ArrayList<>();
        for (Instance instance : pool.members()) {
            if (instance.usable() && instance.latencyEwmaMs() > 0) {
                measured.add(instance);
            }
        }
        if (measured.size() < MIN_MEASURED) {
            return 0;
        }
        double[] ewmas = new double[measured.size()];
        for (int i = 0; i < ewmas.length; i++) {
            ewmas[i] = measured.get(i).latencyEwmaMs();
        }
        double median = median(ewmas);
        double floorMs = rules.latencyFloor().toNanos() / 1e6;
        int ejected = 0;
        for (int i = 0; i < ewmas.length; i++) {
            Instance instance = measured.get(i);
            // Both conditions: a pool answering in 2 ms should not eject the one that takes 7.
            boolean slow = ewmas[i] > rules.latencyFactor() * median && ewmas[i] > floorMs;
            int slowChecks = instance.countSlowCheck(slow);
            if (slow && slowChecks >= rules.latencyChecks()
                    && eject(pool, instance, LATENCY, String.format("latency %.0f ms vs pool median %.0f ms, %d checks",
                            ewmas[i], median, slowChecks))) {
                ejected++;
            }
        }
        return ejected;
    }

    private boolean eject(Pool pool, Instance instance, String kind, String detail) {
        Ejection rules = pool.settings().ejection();
        long now = System.nanoTime();
        long duration;
        // The pool's monitor (which refresh also holds) makes "may eject" and "eject" one step:
        // two event loops must not both take the last ejection slot.
        synchronized (pool) {
            if (instance.ejected() || pool.member(instance.id()) != instance) {
                return false;
            }
            if (!pool.mayEject()) {
                LOG.debugf("%s not ejected (%s): pool %s already has its maximum share ejected", instance, detail, pool);
                return false;
            }
            duration = instance.eject(kind + ": " + detail, now, rules.baseTime().toNanos(), rules.maxTime().toNanos());
            pool.refresh(now);
        }
        LOG.infof("Ejected %s for %d ms (%s): %s", instance, duration / 1_000_000, kind, detail);
        meters.counter("fleet.gateway.ejections", "pool", pool.name(), "reason", kind).increment();
        return true;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private long sweepTickMillis() {
        long shortest = SWEEP_TICK_MAX.toMillis();
        for (GatewayConfig.PoolConfig pool : config.pools().values()) {
            shortest = Math.min(shortest, pool.ejection().latencyInterval().toMillis());
        }
        return Math.max(SWEEP_TICK_MIN.toMillis(), shortest);
    }
}
