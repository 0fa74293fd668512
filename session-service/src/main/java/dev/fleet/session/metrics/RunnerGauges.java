package dev.fleet.session.metrics;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * Per-runner gauges ({@code fleet_session_runner_*{pool,runner}}): the CPU and memory the runner last
 * reported (ratios 0–1), its live sessions and capacity, whether it is healthy, and when it last
 * heartbeated. One row per registered runner, replaced wholesale on every sample, so a runner that
 * is forgotten leaves the scrape: the {@code runner} label is bounded by the fleet's size (an operator
 * needs to see which runner is hot), never by traffic.
 */
@Singleton
public class RunnerGauges {

    /** What one sample knows about a runner; {@code null} figures were never reported. */
    public record RunnerFigures(String pool, String runner, String health, Double cpuPercent, Double memoryPercent,
            int liveSessions, int maxSessions, double lastHeartbeatEpochSeconds) {
    }

    private final MultiGauge cpu;
    private final MultiGauge memory;
    private final MultiGauge sessions;
    private final MultiGauge capacity;
    private final MultiGauge healthy;
    private final MultiGauge lastHeartbeat;

    RunnerGauges(MeterRegistry registry) {
        cpu = MultiGauge.builder("fleet.session.runner.cpu.ratio")
                .description("CPU in use the runner last reported (0-1)").register(registry);
        memory = MultiGauge.builder("fleet.session.runner.memory.ratio")
                .description("Memory in use the runner last reported (0-1)").register(registry);
        sessions = MultiGauge.builder("fleet.session.runner.sessions")
                .description("Live sessions placed on the runner").register(registry);
        capacity = MultiGauge.builder("fleet.session.runner.max.sessions")
                .description("Sessions (= job slots for the reference runner) the runner accepts").register(registry);
        healthy = MultiGauge.builder("fleet.session.runner.healthy")
                .description("1 when the runner is healthy, 0 when degraded, unhealthy or gone").register(registry);
        lastHeartbeat = MultiGauge.builder("fleet.session.runner.last.heartbeat.timestamp.seconds")
                .description("Unix time of the runner's latest heartbeat").register(registry);
    }

    /** Replaces every row with {@code runners} (runners missing from it disappear from the scrape). */
    public void update(List<RunnerFigures> runners) {
        List<MultiGauge.Row<?>> cpuRows = new ArrayList<>();
        List<MultiGauge.Row<?>> memoryRows = new ArrayList<>();
        List<MultiGauge.Row<?>> sessionRows = new ArrayList<>();
        List<MultiGauge.Row<?>> capacityRows = new ArrayList<>();
        List<MultiGauge.Row<?>> healthyRows = new ArrayList<>();
        List<MultiGauge.Row<?>> heartbeatRows = new ArrayList<>();
        for (RunnerFigures r : runners) {
            Tags tags = Tags.of("pool", r.pool(), "runner", r.runner());
            if (r.cpuPercent() != null) {
                cpuRows.add(MultiGauge.Row.of(tags, r.cpuPercent() / 100));
            }
            if (r.memoryPercent() != null) {
                memoryRows.add(MultiGauge.Row.of(tags, r.memoryPercent() / 100));
            }
            sessionRows.add(MultiGauge.Row.of(tags, r.liveSessions()));
            capacityRows.add(MultiGauge.Row.of(tags, r.maxSessions()));
            healthyRows.add(MultiGauge.Row.of(tags, "healthy".equals(r.health()) ? 1 : 0));
            heartbeatRows.add(MultiGauge.Row.of(tags, r.lastHeartbeatEpochSeconds()));
        }
        cpu.register(cpuRows, true);
        memory.register(memoryRows, true);
        sessions.register(sessionRows, true);
        capacity.register(capacityRows, true);
        healthy.register(healthyRows, true);
        lastHeartbeat.register(heartbeatRows, true);
    }
}
