package dev.fleet.telemetry.finding;

import java.util.List;
import java.util.Map;

import dev.fleet.telemetry.FleetServicesResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The findings with their real inputs (queue-service and session-service as processes), from 5
 * samples a feature (the default, 20, would make the tests post more) and a queue depth of 5 (so a
 * test enqueues, and cancels, a few jobs). The cap is raised so other modules' leftovers in the
 * shared test database can never crowd out a test's findings.
 */
public class FindingsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.telemetry.findings.min-samples", "5",
                "fleet.telemetry.findings.queue-depth.warning", "5",
                "fleet.telemetry.findings.queue-depth.critical", "50",
                "fleet.telemetry.findings.queue-depth.emergency", "500",
                "fleet.telemetry.findings.max-per-kind", "1000");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FleetServicesResource.class));
    }
}
