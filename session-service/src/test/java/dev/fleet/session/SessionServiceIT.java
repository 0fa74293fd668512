package dev.fleet.session;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.act;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runner;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.path.json.JsonPath;

/** A session's whole life through the packaged service, as a runner and a client drive it over HTTP. */
@QuarkusIntegrationTest
class SessionServiceIT {

    @Test
    void aSessionLivesAndEndsThroughItsRunner() {
        String pool = freshPool();
        TestRunner r = register(pool, 1);
        assertThat(r.heartbeat(Map.of("cpuPercent", 20)).getString("health")).isEqualTo("healthy");

        JsonPath start = createSession(pool, Map.of());
        String id = start.getString("target");
        assertThat(r.heartbeat(Map.of()).getInt("pendingOperations")).isEqualTo(1);
        assertThat(r.openOperations()).extracting(op -> op.get("id")).containsExactly(start.getString("id"));
        r.complete(start.getString("id"));
        assertThat(session(id).getString("state")).isEqualTo("running");

        as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "human"))
                .when().post("/sessions").then().statusCode(429).header("Retry-After", equalTo("5"));

        r.complete(act(id, "pause").getString("id"));
        assertThat(session(id).getString("state")).isEqualTo("paused");
        as(CLIENT).when().post("/sessions/" + id + "/pause").then().statusCode(409).body("state", equalTo("paused"));
        r.complete(act(id, "stop").getString("id"));
        assertThat(session(id).getString("state")).isEqualTo("stopped");
        assertThat(runner(r.id()).getInt("liveSessions")).isZero();
    }
}
