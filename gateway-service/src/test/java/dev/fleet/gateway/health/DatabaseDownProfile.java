package dev.fleet.gateway.health;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** PostgreSQL out of reach: port 1 refuses every connection, as a database that is down would. */
public class DatabaseDownProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("fleet.db.port", "1");
    }
}
