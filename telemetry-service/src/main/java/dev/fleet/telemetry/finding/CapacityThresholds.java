package dev.fleet.telemetry.finding;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import dev.fleet.telemetry.finding.FindingQueries.FeatureIndicators;
import dev.fleet.telemetry.input.InputReadings;
import dev.fleet.telemetry.input.QueueReading;
import dev.fleet.telemetry.input.RunnerReading;
import io.quarkus.runtime.Startup;

/**
 * The capacity thresholds (kind {@code capacity}), one finding per indicator and subject past its
 * warning level. From the window's samples, per feature: {@code response-time} (p95) and
 * {@code error-rate}; they already aggregate the window, so they count at once. From session-service,
 * per runner (subject: its endpoint): {@code runner-cpu} and {@code runner-memory}; per pool:
 * {@code healthy-share}. From queue-service, per queue: {@code queue-depth}. These four must hold
 * across their {@code hold} ({@link HeldReadings}). Created at start, so levels out of order stop
 * the service with the key named.
 */
@Startup
@Singleton
class CapacityThresholds {

    static final String RESPONSE_TIME = "response-time";
    static final String ERROR_RATE = "error-rate";
    static final String RUNNER_CPU = "runner-cpu";
    static final String RUNNER_MEMORY = "runner-memory";
    static final String QUEUE_DEPTH = "queue-depth";
    static final String HEALTHY_SHARE = "healthy-share";

    static final String RESPONSE_TIME_REMEDIATION = "Scale the pool out, or find what slows the feature down"
            + " (queue wait, runner CPU/memory: see the sessions-and-runners dashboard).";
    static final String ERROR_RATE_REMEDIATION = "Read the feature's failing samples (GET /samples?feature=...);"
            + " drain or roll back the runners that fail.";
    static final String RUNNER_CPU_REMEDIATION = "Move work off the runner: scale its pool out, lower its"
            + " maxSessions, or give it more CPU; find the sessions or jobs that use it (GET /sessions?runner=...).";
    static final String RUNNER_MEMORY_REMEDIATION = "Give the runner more memory or fewer sessions (maxSessions);"
            + " drain and restart it if memory only grows (a leak).";
    static final String QUEUE_DEPTH_REMEDIATION = "Jobs wait faster than they are run: scale the queue's pool out,"
            + " check that its runners claim (not paused, rate or cost limits), or shed low-priority work.";
    static final String HEALTHY_SHARE_REMEDIATION = "Runners of the pool stopped heartbeating or report"
            + " themselves unhealthy: read their logs, drain and replace them (the scaler replaces gone ones).";

    private final FindingsConfig config;
    private final HeldReadings held;
    private final IndicatorLevels responseTime;
    private final IndicatorLevels errorRate;
    private final IndicatorLevels cpu;
    private final IndicatorLevels memory;
    private final IndicatorLevels depth;
    private final IndicatorLevels healthy;

    CapacityThresholds(FindingsConfig config, HeldReadings held) {
        this.config = config;
        this.held = held;
        FindingsConfig.Levels rt = config.responseTimeMs();
        FindingsConfig.ErrorLevels er = config.errorRate();
        FindingsConfig.PercentLevels c = config.runnerCpuPercent();
        FindingsConfig.PercentLevels m = config.runnerMemoryPercent();
        FindingsConfig.QueueDepthLevels q = config.queueDepth();
        FindingsConfig.HealthyShareLevels h = config.healthyShare();
        responseTime = IndicatorLevels.rising("response-time-ms", rt.warning(), rt.critical(), rt.emergency());
        errorRate = IndicatorLevels.rising("error-rate", er.warning(), er.critical(), er.emergency());
        cpu = IndicatorLevels.rising("runner-cpu-percent", c.warning(), c.critical(), c.emergency());
        memory = IndicatorLevels.rising("runner-memory-percent", m.warning(), m.critical(), m.emergency());
        depth = IndicatorLevels.rising("queue-depth", q.warning(), q.critical(), q.emergency());
        healthy = IndicatorLevels.falling("healthy-share", h.warning(), h.critical(), h.emergency());
        if (config.maxPerKind() < 1) {
            throw new IllegalArgumentException("fleet.telemetry.findings.max-per-kind is at least 1, not "
                    + config.maxPerKind());
        }
    }

    void judge(List<FeatureIndicators> features, InputReadings read, List<PoolFigures> pools, Instant now,
            Evaluation out) {
        for (FeatureIndicators f : features) {
            direct(RESPONSE_TIME, f.feature(), f.p95Ms(), responseTime, RESPONSE_TIME_REMEDIATION, out);
            direct(ERROR_RATE, f.feature(), f.errorRate(), errorRate, ERROR_RATE_REMEDIATION, out);
        }
        if (read.runnersRead()) {
            Set<String> seen = new HashSet<>();
            for (RunnerReading r : read.runners()) {
                // a gone runner's last figures are stale; a draining one is on its way out
                if (r.live()) {
                    seen.add(r.endpoint());
                    held(RUNNER_CPU, r.endpoint(), r.cpuPercent(), cpu, config.runnerCpuPercent().hold(),
                            RUNNER_CPU_REMEDIATION, now, out);
                    held(RUNNER_MEMORY, r.endpoint(), r.memoryPercent(), memory, config.runnerMemoryPercent().hold(),
                            RUNNER_MEMORY_REMEDIATION, now, out);
                }
            }
            held.forgetOthers(RUNNER_CPU, seen);
            held.forgetOthers(RUNNER_MEMORY, seen);
            Set<String> poolNames = new HashSet<>();
            for (PoolFigures p : pools) {
                poolNames.add(p.pool());
                held(HEALTHY_SHARE, p.pool(), p.healthyShare(), healthy, config.healthyShare().hold(),
                        HEALTHY_SHARE_REMEDIATION, now, out);
            }
            held.forgetOthers(HEALTHY_SHARE, poolNames);
        } else {
            out.unread(RUNNER_CPU);
            out.unread(RUNNER_MEMORY);
            out.unread(HEALTHY_SHARE);
        }
        if (read.queuesRead()) {
            Set<String> seen = new HashSet<>();
            for (QueueReading q : read.queues()) {
                seen.add(q.name());
                held(QUEUE_DEPTH, q.name(), q.available(), depth, config.queueDepth().hold(), QUEUE_DEPTH_REMEDIATION,
                        now, out);
            }
            held.forgetOthers(QUEUE_DEPTH, seen);
        } else {
            out.unread(QUEUE_DEPTH);
        }
    }

    /** An indicator over the window: it counts as soon as it is past a level. */
    private static void direct(String name, String subject, double value, IndicatorLevels levels, String remediation,
            Evaluation out) {
        IndicatorLevels.Level level = levels.level(value);
        if (level != null) {
            out.found(new Finding(Finding.CAPACITY, name, subject, level.severity(), value, level.threshold(),
                    remediation, null));
        }
    }

    /** A reading of another service: it counts once held; pending, it leaves the finding as it is. */
    private void held(String name, String subject, double value, IndicatorLevels levels, Duration hold,
            String remediation, Instant now, Evaluation out) {
        HeldReadings.Observation o = held.observe(name, subject, value, levels, hold, now);
        switch (o.state()) {
            case FINE -> {
            }
            case PENDING -> out.keep(name, subject);
            case HELD -> out.found(new Finding(Finding.CAPACITY, name, subject, o.level().severity(), o.value(),
                    o.level().threshold(), remediation, "held for " + hold.toString().substring(2).toLowerCase()
                    + ", value: the least bad reading"));
        }
    }
}
