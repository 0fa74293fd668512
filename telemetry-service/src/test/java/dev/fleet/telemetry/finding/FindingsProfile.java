package dev.fleet.telemetry.finding;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Findings from 5 samples a feature (the default, 20, would make the test post more). */
public class FindingsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.telemetry.findings.min-samples", "5");
    }
}
