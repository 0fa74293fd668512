package dev.fleet.session.lease;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.act;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** Resource ranges shrunk so exhaustion is reachable: 5 displays, 4 port blocks of 5, 6 volumes. */
@QuarkusTest
@TestProfile(ResourceLeaseTest.SmallRangesProfile.class)
class ResourceLeaseTest {

    public static class SmallRangesProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleet.session.leases.display-min", "10", "fleet.session.leases.display-max", "14",
                    "fleet.session.leases.port-min", "30000", "fleet.session.leases.port-max", "30019",
                    "fleet.session.leases.port-block-size", "5", "fleet.session.leases.volume-max", "5");
        }
    }

    @Test
    void concurrentSessionsOnOneHostNeverShareADisplayPortsOrVolume() throws Exception {
        String pool = freshPool();
        String host = "shared-" + pool;
        // Two runners on one machine: their sessions draw from the same ranges.
        register(pool, 10, Map.of(), host);
        register(pool, 10, Map.of(), host);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> creates = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                creates.add(() -> as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "agent"))
                        .when().post("/sessions").then().extract().statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : threads.invokeAll(creates)) {
                statuses.add(f.get());
            }
            // 4 port blocks: exactly 4 sessions fit on the host, the others are refused with 503.
            assertThat(statuses).containsOnly(202, 503);
            assertThat(statuses.stream().filter(s -> s == 202).count()).isEqualTo(4);
        } finally {
            threads.shutdownNow();
        }
        List<Map<String, Object>> live = as(CLIENT).queryParam("pool", pool).when().get("/sessions")
                .then().statusCode(200).extract().jsonPath().getList("sessions.resources");
        Set<Object> displays = new HashSet<>();
        Set<Object> ports = new HashSet<>();
        Set<Object> volumes = new HashSet<>();
        for (Map<String, Object> r : live) {
            displays.add(r.get("display"));
            ports.add(r.get("portFrom"));
            volumes.add(r.get("volume"));
        }
        assertThat(live).hasSize(4);
        assertThat(displays).hasSize(4).allMatch(d -> (Integer) d >= 10 && (Integer) d <= 14);
        assertThat(ports).containsExactlyInAnyOrder(30000, 30005, 30010, 30015);
        assertThat(volumes).hasSize(4);
    }

    @Test
    void exhaustionNamesTheResourceAndAReleasedValueIsReused() {
        String pool = freshPool();
        TestRunner r = register(pool, 10, Map.of(), "h-" + pool);
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonPath start = as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "agent"))
                    .when().post("/sessions").then().statusCode(202).extract().jsonPath();
            r.complete(start.getString("id"));
            sessions.add(start.getString("target"));
        }
        as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "agent"))
                .when().post("/sessions").then().statusCode(503).header("Retry-After", equalTo("5"))
                .body("type", equalTo("urn:fleet:problem:resources-exhausted")).body("resource", equalTo("ports"))
                .body("host", equalTo("h-" + pool));
        int freedPorts = session(sessions.get(1)).getInt("resources.portFrom");
        r.complete(act(sessions.get(1), "stop").getString("id"));
        JsonPath again = as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "agent"))
                .when().post("/sessions").then().statusCode(202).extract().jsonPath();
        assertThat(again.getInt("metadata.resources.portFrom")).isEqualTo(freedPorts);
        // The refused attempt left nothing behind: the runner counts exactly the live sessions, and
        // the pool lists the five created (one of them stopped), not the refused one.
        assertThat(dev.fleet.session.SessionApi.runner(r.id()).getInt("liveSessions")).isEqualTo(4);
        assertThat(as(CLIENT).queryParam("pool", pool).when().get("/sessions").then().statusCode(200)
                .extract().jsonPath().getList("sessions")).hasSize(5);
    }
}
