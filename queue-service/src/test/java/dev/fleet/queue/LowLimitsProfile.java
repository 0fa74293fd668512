package dev.fleet.queue;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Capacity limits small enough for a test to reach. */
public class LowLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.queue.max-waiting-claims", "2", "fleet.queue.max-waiting-results", "2");
    }
}
