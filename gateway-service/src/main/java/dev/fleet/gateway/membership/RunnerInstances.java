package dev.fleet.gateway.membership;

import java.util.Set;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.ReportedLoad;
import io.vertx.core.json.JsonObject;

/**
 * Turns a runner of session-service's {@code GET /runners} into an instance of its pool. Only
 * {@code healthy} and {@code degraded} runners take traffic: {@code degraded} is still serving
 * (the weight formula already leans away from its load), {@code unhealthy} said it cannot, and
 * {@code gone} stopped talking.
 */
final class RunnerInstances {

    static final String SOURCE = "session-service";

    private static final Set<String> SERVING = Set.of("healthy", "degraded");

    private RunnerInstances() {
    }

    /** The instance, or null for a runner that should not take traffic. */
    static Instance instanceOf(JsonObject runner, long nowNanos) {
        if (!SERVING.contains(runner.getString("health", ""))) {
            return null;
        }
        ReportedLoad load = new ReportedLoad(figure(runner, "weight", 1), figure(runner, "cpuPercent", 0),
                figure(runner, "memoryPercent", 0), figure(runner, "avgResponseMs", 0),
                figure(runner, "activeConnections", 0), figure(runner, "avgThinkingMs", 0));
        Instance instance = new Instance(runner.getString("id"), runner.getString("pool"),
                Address.parse(runner.getString("endpoint")), SOURCE, load, nowNanos);
        // Pool.upsert copies this onto a known instance, so it must be set before the instance is offered.
        instance.reportDraining(runner.getBoolean("draining", false));
        return instance;
    }

    /** A reported figure; one the runner never reported counts as {@code absent}. */
    private static double figure(JsonObject runner, String key, double absent) {
        Object value = runner.getValue(key);
        return value instanceof Number number ? number.doubleValue() : absent;
    }
}
