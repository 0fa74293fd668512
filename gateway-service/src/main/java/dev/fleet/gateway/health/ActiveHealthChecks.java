package dev.fleet.gateway.health;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.config.GatewayConfig.HealthChecks;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Checks every instance of every pool on each enabled {@link HealthLayer}, each on its own interval,
 * and marks a layer failed after its run of failures (healthy again after
 * {@code recovery-successes} passes). One Vert.x periodic tick walks the pools and starts the
 * checks that are due, so thousands of instances cost one timer rather than one each; at most one
 * check per instance and layer is in flight, so a slow upstream is never checked faster than it answers.
 * Instances start healthy: the passive side ({@link OutlierEjection}) reacts to real traffic sooner.
 */
@Singleton
public class ActiveHealthChecks {

    private static final Logger LOG = Logger.getLogger(ActiveHealthChecks.class);

    /** The tick is never slower than this (the grain of the intervals) ... */
    static final Duration TICK_MAX = Duration.ofMillis(500);
    /** ... and not faster than this, even for very short configured intervals. */
    static final Duration TICK_MIN = Duration.ofMillis(100);

    private static final HealthLayer[] LAYERS = HealthLayer.values();

    private final Pools pools;
    private final GatewayConfig config;
    private final Vertx vertx;
    /** Per instance (by identity: a re-registered runner is a new instance) its trackers, by layer ordinal. */
    private final Map<Instance, LayerTracker[]> trackers = new ConcurrentHashMap<>();
    private HealthProbes probes;
    private long timer = -1;

    ActiveHealthChecks(Pools pools, GatewayConfig config, Vertx vertx) {
        this.pools = pools;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        probes = new HealthProbes(vertx);
        timer = vertx.setPeriodic(tickMillis(), id -> runOnce(System.nanoTime()));
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        if (probes != null) {
            probes.close();
        }
    }

    /** Starts every check that is due and forgets instances that left their pool → the number of checks started. */
    public int runOnce(long nowNanos) {
        int started = 0;
        Set<Instance> present = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Pool pool : pools.all()) {
            HealthChecks settings = pool.settings().health();
            for (Instance instance : pool.members()) {
                present.add(instance);
                LayerTracker[] layers = trackers.computeIfAbsent(instance, known -> newTrackers(known, settings, nowNanos));
                for (HealthLayer layer : LAYERS) {
                    LayerTracker tracker = layers[layer.ordinal()];
                    if (layer.enabled(settings) && tracker.tryStart(nowNanos, layer.interval(settings).toNanos())) {
                        check(pool, instance, layer, tracker, settings);
                        started++;
                    }
                }
            }
        }
        trackers.keySet().retainAll(present);
        return started;
    }

    /** Whether a layer of this instance currently counts as failed here (for tests and the admin API). */
    public boolean layerFailed(Instance instance, HealthLayer layer) {
        LayerTracker[] layers = trackers.get(instance);
        return layers != null && layers[layer.ordinal()].failed();
    }

    /** Whether this instance has check state: it was in a pool at the last tick. */
    public boolean tracks(Instance instance) {
        return trackers.containsKey(instance);
    }

    private static LayerTracker[] newTrackers(Instance instance, HealthChecks settings, long nowNanos) {
        LayerTracker[] layers = new LayerTracker[LAYERS.length];
        for (HealthLayer layer : LAYERS) {
            // A random first due time within one interval spreads the checks of instances that arrive together.
            long interval = Math.max(1, layer.interval(settings).toNanos());
            long firstDue = nowNanos + ThreadLocalRandom.current().nextLong(interval);
            boolean failed = (instance.failedLayers() & layer.bit()) != 0;
            layers[layer.ordinal()] = new LayerTracker(failed, firstDue);
        }
        return layers;
    }

    private void check(Pool pool, Instance instance, HealthLayer layer, LayerTracker tracker, HealthChecks settings) {
        probes.probe(layer, instance.address(), settings).onComplete(done -> {
            CheckResult result = done.succeeded() ? done.result() : CheckResult.failed(String.valueOf(done.cause()));
            LayerTracker.Change change = tracker.record(result.passed(), layer.failures(settings), settings.recoverySuccesses());
            LayerTracker[] current = trackers.get(instance);
            if (change == LayerTracker.Change.NONE || current == null || current[layer.ordinal()] != tracker) {
                return; // nothing flipped, or the instance left while the check ran
            }
            boolean failed = change == LayerTracker.Change.FAILED;
            String reason = layer.label() + ": " + result.detail();
            long now = System.nanoTime();
            instance.markLayer(layer.bit(), failed, reason, now);
            pool.refresh(now);
            if (failed) {
                LOG.infof("%s fails its %s check (%d times in a row), unhealthy: %s", instance, layer.label(),
                        layer.failures(settings), reason);
            } else {
                LOG.infof("%s passes its %s check again after %d successes (%s)", instance, layer.label(),
                        settings.recoverySuccesses(), reason);
            }
        });
    }

    private long tickMillis() {
        // As short as the shortest configured interval (so short intervals are honoured), within [TICK_MIN, TICK_MAX].
        long shortest = TICK_MAX.toMillis();
        for (GatewayConfig.PoolConfig pool : config.pools().values()) {
            for (HealthLayer layer : LAYERS) {
                if (layer.enabled(pool.health())) {
                    shortest = Math.min(shortest, layer.interval(pool.health()).toMillis());
                }
            }
        }
        return Math.max(TICK_MIN.toMillis(), shortest);
    }
}
