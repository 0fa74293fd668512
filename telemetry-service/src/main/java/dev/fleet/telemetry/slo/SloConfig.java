package dev.fleet.telemetry.slo;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * SLOs per priority class ({@code fleet.telemetry.slo.*}): the latency each class P0–P6 promises
 * (a job's wait in its queue, a gateway request's time), the share of events that must keep it, and
 * the window the gauges are computed over.
 */
@ConfigMapping(prefix = "fleet.telemetry.slo")
public interface SloConfig {

    /** Window of {@code GET /slos} when the request names none, and of the gauges. */
    @WithDefault("1h")
    Duration window();

    /** How often the gauges are recomputed. */
    @WithDefault("30s")
    Duration interval();

    /** Share of a class's events that must meet its target for the SLO to be attained. */
    @WithDefault("0.99")
    double goal();

    @WithDefault("200ms")
    Duration p0();

    @WithDefault("500ms")
    Duration p1();

    @WithDefault("1s")
    Duration p2();

    @WithDefault("5s")
    Duration p3();

    @WithDefault("30s")
    Duration p4();

    @WithDefault("1m")
    Duration p5();

    @WithDefault("5m")
    Duration p6();

    /** Targets in class order, P0 first. */
    default List<Duration> targets() {
        return List.of(p0(), p1(), p2(), p3(), p4(), p5(), p6());
    }
}
