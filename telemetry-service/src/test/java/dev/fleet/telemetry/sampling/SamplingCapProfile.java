package dev.fleet.telemetry.sampling;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A cap of 5 samples per source and minute, and one sampling rule of every kind. */
public class SamplingCapProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fleet.telemetry.sampling.per-source-per-minute", "5",
                "fleet.telemetry.sampling.default-rate", "0.9",
                "fleet.telemetry.sampling.features.\"job.sleep\"", "0.1",
                "fleet.telemetry.sampling.feature-sets.http.features", "http.*,proxy.pick",
                "fleet.telemetry.sampling.feature-sets.http.rate", "0.5",
                "fleet.telemetry.sampling.capabilities.browser", "0.25",
                "fleet.telemetry.sampling.features.always", "1",
                "fleet.telemetry.sampling.features.never", "0");
    }
}
