package dev.fleet.gateway.membership;

import java.util.List;
import java.util.Map;

import dev.fleet.gateway.testing.SiblingServiceResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * session-service running and configured, two configured upstreams in pool {@code static}, and a
 * membership refresh too long to matter: tests that need a snapshot call {@code runOnce()}, so
 * anything that arrives without one came through NOTIFY.
 */
public class MembershipTestProfile implements QuarkusTestProfile {

    static final String STATIC_POOL = "static";
    /**
     * Session routing's pool: new each run, since session-service's database outlives the tests, and the
     * same in the profile and the test (they live in different class loaders, so not a random value).
     */
    static final String SESSION_POOL = "gw-sessions-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fleet.gateway.routes.by-session.pool", SESSION_POOL,
                "fleet.gateway.routes.by-session.path-prefix", "/s",
                "fleet.gateway.routes.by-session.strip-prefix", "true",
                "fleet.gateway.routes.by-session.algorithm", "session",
                "fleet.gateway.membership-refresh", "1h",
                "fleet.gateway.pools." + STATIC_POOL + ".upstreams", "http://127.0.0.1:9001,http://127.0.0.1:9002;weight=2.5");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        // No fleet.gateway.token: the gateway falls back to the first admin token (test-admin-token).
        return List.of(SiblingServiceResource.entry("session-service", "fleet.gateway.session-url"));
    }
}
