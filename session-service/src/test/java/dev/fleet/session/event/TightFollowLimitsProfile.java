package dev.fleet.session.event;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Follow limits small enough for a test to reach: two streams per session, closed after 3 s of
 * silence (long enough that a loaded machine's pauses between a test's appends stay inside it).
 */
public class TightFollowLimitsProfile implements QuarkusTestProfile {

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.session.events.follow-idle-timeout", IDLE_TIMEOUT.toSeconds() + "s",
                "fleet.session.events.max-followers", "2");
    }
}
