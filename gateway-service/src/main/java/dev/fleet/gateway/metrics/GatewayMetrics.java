package dev.fleet.gateway.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;

/**
 * The gateway's metrics: requests by pool and status class, latency histograms per pool, problems
 * the gateway answered itself, retries and rejections; gauges of in-flight, weight, latency EWMA per
 * instance and queue length per pool, refreshed every few seconds (instances come and go, so they
 * are rows of multi-gauges rather than gauges bound to objects).
 *
 * <p>Cardinality: counters and histograms carry {@code pool} (configured, few), never {@code instance}:
 * instances churn with scaling, and a counter per instance would keep a series for every instance
 * that ever served (Micrometer never drops a counter). The per-instance view an operator needs
 * (which instance is loaded, slow or out of the picks) lives in the three gauges, whose rows are
 * replaced on every refresh, so instances that left disappear from the scrape.
 */
@Singleton
public class GatewayMetrics {

    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final Pools pools;
    private final Vertx vertx;
    private final Map<String, Counter[]> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final MultiGauge inFlight;
    private final MultiGauge weight;
    private final MultiGauge latencyEwma;
    private final MultiGauge queueLength;
    private long timer = -1;

    GatewayMetrics(MeterRegistry registry, Pools pools, Vertx vertx) {
        this.registry = registry;
        this.pools = pools;
        this.vertx = vertx;
        this.inFlight = MultiGauge.builder("fleet.gateway.in.flight").description("Requests in flight per instance")
                .register(registry);
        this.weight = MultiGauge.builder("fleet.gateway.instance.weight")
                .description("Effective weight per instance (0 when it takes no part in picks)").register(registry);
        this.latencyEwma = MultiGauge.builder("fleet.gateway.instance.latency")
                .description("The gateway's latency EWMA per instance").baseUnit("seconds").register(registry);
        this.queueLength = MultiGauge.builder("fleet.gateway.queue.length")
                .description("Requests waiting for a free instance per pool").register(registry);
    }

    @PostConstruct
    void start() {
        timer = vertx.setPeriodic(5_000, id -> refreshGauges());
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(timer);
    }

    /**
     * An upstream answered with {@code status}; {@code nanos} since the request arrived. The instance
     * is not a label (see the class comment); it stays in the signature for the callers' sake.
     */
    public void answered(String pool, Instance instance, int status, long nanos) {
        int statusClass = Math.min(4, Math.max(0, status / 100 - 1));
        // get first: computeIfAbsent would allocate its function on every request
        Counter[] counters = requests.get(pool);
        if (counters == null) {
            counters = requests.computeIfAbsent(pool, this::requestCounters);
        }
        counters[statusClass].increment();
        Timer timer = latency.get(pool);
        if (timer == null) {
            timer = latency.computeIfAbsent(pool, this::latencyTimer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer latencyTimer(String pool) {
        return Timer.builder("fleet.gateway.request")
                .description("Time from a request's arrival to its upstream's response headers")
                .tags("pool", pool).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    private Counter[] requestCounters(String pool) {
        Counter[] counters = new Counter[CLASSES.length];
        for (int i = 0; i < CLASSES.length; i++) {
            counters[i] = Counter.builder("fleet.gateway.requests").description("Upstream answers by status class")
                    .tags("pool", pool, "status", CLASSES[i]).register(registry);
        }
        return counters;
    }

    /** The gateway answered a problem of its own ({@code type}, e.g. no-route). */
    public void problem(String pool, String type) {
        registry.counter("fleet.gateway.problems", "pool", pool, "type", type).increment();
    }

    public void retried(String pool) {
        registry.counter("fleet.gateway.retries", "pool", pool).increment();
    }

    /** A request turned away by overload control: queue-full (429) or queue-timeout (503). */
    public void rejected(String pool, String reason) {
        registry.counter("fleet.gateway.rejected", "pool", pool, "reason", reason).increment();
    }

    void refreshGauges() {
        List<MultiGauge.Row<?>> flights = new ArrayList<>();
        List<MultiGauge.Row<?>> weights = new ArrayList<>();
        List<MultiGauge.Row<?>> latencies = new ArrayList<>();
        List<MultiGauge.Row<?>> queues = new ArrayList<>();
        long now = System.nanoTime();
        for (Pool pool : pools.all()) {
            queues.add(MultiGauge.Row.of(Tags.of("pool", pool.name()), pool.waiting().size()));
            for (Instance instance : pool.members()) {
                // not "instance": Prometheus sets that label to the scraped target itself
                Tags tags = Tags.of("pool", pool.name(), "upstream", instance.id());
                flights.add(MultiGauge.Row.of(tags, instance.inFlight()));
                weights.add(MultiGauge.Row.of(tags,
                        instance.usable() ? instance.effectiveWeight(now, pool.settings().slowStart().toNanos()) : 0));
                latencies.add(MultiGauge.Row.of(tags, instance.latencyEwmaMs() / 1000));
            }
        }
        inFlight.register(flights, true);
        weight.register(weights, true);
        latencyEwma.register(latencies, true);
        queueLength.register(queues, true);
    }
}
