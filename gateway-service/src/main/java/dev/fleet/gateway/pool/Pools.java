package dev.fleet.gateway.pool;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import dev.fleet.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;

/**
 * Every pool the gateway knows, created on first mention (a route, configuration, session-service)
 * with its configured or default settings. Rebuilds every pool's pick table each
 * {@code fleet.gateway.refresh-interval}, so slow-start ramps, ejection ends and new weights take
 * effect without touching the request path.
 */
@Singleton
public class Pools {

    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final GatewayConfig config;
    private final Vertx vertx;
    private long timer = -1;

    Pools(GatewayConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    @PostConstruct
    void start() {
        timer = vertx.setPeriodic(config.refreshInterval().toMillis(), id -> refreshAll());
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(timer);
    }

    /** The pool of this name, created with its settings if new. */
    public Pool pool(String name) {
        return pools.computeIfAbsent(name, n -> new Pool(n, config.pools().get(n),
                new RetryBudget(config.retry().budgetRatio(), config.retry().reserve())));
    }

    /** The pool if it exists, else null. */
    public Pool find(String name) {
        return pools.get(name);
    }

    public Collection<Pool> all() {
        return pools.values();
    }

    public void refreshAll() {
        long now = System.nanoTime();
        pools.values().forEach(pool -> pool.refresh(now));
    }
}
