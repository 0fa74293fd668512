package dev.fleet.telemetry.slo;

import java.util.List;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * {@code fleet_telemetry_slo_ratio{objective,scope,priority}}: the share of events that met their
 * class's target over {@code slo.window}, replaced after every evaluation. Scopes are queue and
 * route names, which operators configure, so the labels stay bounded.
 */
@Singleton
public class SloMetrics {

    private final MultiGauge ratio;

    SloMetrics(MeterRegistry registry) {
        ratio = MultiGauge.builder("fleet.telemetry.slo.ratio")
                .description("Share of events within their class's SLO target")
                .register(registry);
    }

    void update(List<SloView> slos) {
        ratio.register(slos.stream().map(s -> (MultiGauge.Row<?>) MultiGauge.Row.of(Tags.of("objective", s.objective(),
                "scope", s.scope(), "priority", s.priority()), s.ratio())).toList(), true);
    }
}
