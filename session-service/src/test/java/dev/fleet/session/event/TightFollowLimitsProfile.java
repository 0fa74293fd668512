package dev.fleet.session.event;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Follow limits small enough for a test to reach: two streams per session, closed after 1 s of silence. */
public class TightFollowLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.session.events.follow-idle-timeout", "1s", "fleet.session.events.max-followers", "2");
    }
}
