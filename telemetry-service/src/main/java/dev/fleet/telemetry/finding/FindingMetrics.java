package dev.fleet.telemetry.finding;

import java.util.List;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * {@code fleet_telemetry_finding_open{kind,name,subject,severity}}: 1 per open finding, rows replaced
 * after every evaluation (a resolved finding leaves the scrape); {@code fleet_telemetry_findings_open}
 * counts them (0 when none). Subjects are features, runners (endpoints), pools and queues: they grow
 * with the fleet, not with traffic, and {@code findings.max-per-kind} caps how many one evaluation
 * opens per kind, so the series stay bounded.
 */
@Singleton
public class FindingMetrics {

    private final MultiGauge open;
    private final MultiGauge count;

    FindingMetrics(MeterRegistry registry) {
        open = MultiGauge.builder("fleet.telemetry.finding.open").description("1 per open finding").register(registry);
        count = MultiGauge.builder("fleet.telemetry.findings.open").description("Open findings").register(registry);
        count.register(List.of(MultiGauge.Row.of(Tags.empty(), 0)), true);
    }

    void update(List<FindingView> findings) {
        open.register(findings.stream().map(f -> MultiGauge.Row.of(Tags.of("kind", f.kind(), "name", f.name(),
                "subject", f.subject(), "severity", f.severity()), 1)).map(r -> (MultiGauge.Row<?>) r).toList(), true);
        count.register(List.of(MultiGauge.Row.of(Tags.empty(), findings.size())), true);
    }
}
