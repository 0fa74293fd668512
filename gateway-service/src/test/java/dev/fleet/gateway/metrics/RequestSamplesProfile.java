package dev.fleet.gateway.metrics;

import java.util.List;
import java.util.Map;

import dev.fleet.gateway.testing.SiblingServiceResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * telemetry-service running, every request sampled and sent every 200 ms, and a route of its own:
 * new each run (telemetry-service's database outlives the tests), the same in profile and test.
 */
public class RequestSamplesProfile implements QuarkusTestProfile {

    static final String ROUTE = "sampled-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fleet.gateway.telemetry.sample-rate", "1",
                "fleet.gateway.telemetry.flush-interval", "200ms",
                "fleet.gateway.routes." + ROUTE + ".pool", "sampled",
                "fleet.gateway.routes." + ROUTE + ".path-prefix", "/sampled",
                "fleet.gateway.routes." + ROUTE + ".strip-prefix", "true");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(SiblingServiceResource.entry("telemetry-service", "fleet.gateway.telemetry.url"));
    }
}
