package dev.fleet.session.runner;

import static dev.fleet.session.SessionApi.ADMIN;
import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.RUNNER;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.session.HeardEvents;
import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import dev.fleet.session.maintenance.RunnerHealthSweeper;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class RunnerRegistryTest {

    @Inject
    MutableClock clock;

    @Inject
    RunnerHealthSweeper sweeper;

    @Inject
    PgNotificationHub hub;

    @Nested
    class Register {

        @Test
        void answersTheRunnerItsTokenAndTheHeartbeatCadence() {
            String pool = freshPool();
            as(RUNNER).body(Map.of("pool", pool, "endpoint", "http://10.1.2.3:9000", "maxSessions", 4, "weight", 2.5,
                    "labels", Map.of("env", "staging", "gpu", "true"), "version", "2.0"))
                    .when().post("/runners")
                    .then().statusCode(201)
                    .header("Location", org.hamcrest.Matchers.containsString("/runners/"))
                    .body("token.length()", equalTo(48))
                    .body("heartbeatIntervalMs", equalTo(5000))
                    .body("runner.pool", equalTo(pool))
                    .body("runner.host", equalTo("10.1.2.3"))
                    .body("runner.health", equalTo("healthy"))
                    .body("runner.draining", equalTo(false))
                    .body("runner.maxSessions", equalTo(4))
                    .body("runner.weight", equalTo(2.5f))
                    .body("runner.labels.env", equalTo("staging"))
                    .body("runner.liveSessions", equalTo(0))
                    .body("runner.sessionsTotal", equalTo(0));
        }

        @Test
        void refusesBadInputWithProblemDetailsAndStoresNothing() {
            String pool = freshPool();
            as(RUNNER).body(Map.of("pool", pool, "endpoint", "not a url", "maxSessions", 1))
                    .when().post("/runners")
                    .then().statusCode(422).contentType("application/problem+json").body("field", equalTo("endpoint"));
            as(RUNNER).body(Map.of("pool", pool, "endpoint", "http://h:1", "maxSessions", 0))
                    .when().post("/runners")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", hasItem(org.hamcrest.Matchers.containsString("maxSessions")));
            as(RUNNER).queryParam("pool", pool).when().get("/runners").then().statusCode(200).body("runners.size()", equalTo(0));
        }

        @Test
        void clientsCannotRegister() {
            as(CLIENT).body(Map.of("pool", "x", "endpoint", "http://h:1", "maxSessions", 1))
                    .when().post("/runners").then().statusCode(403).contentType("application/problem+json");
        }
    }

    @Nested
    class Heartbeat {

        @Test
        void recordsTheFiguresAndCountsWaitingOperations() {
            String pool = freshPool();
            TestRunner r = register(pool, 2);
            Map<String, Object> figures = Map.of("cpuPercent", 42.5, "memoryPercent", 30, "activeSessions", 1,
                    "activeConnections", 7, "avgResponseMs", 120, "avgThinkingMs", 900, "queueDepth", 3);
            r.heartbeat(figures);
            createSession(pool, Map.of());
            // Each heartbeat replaces the figures: one that leaves a figure out says it is unknown now.
            r.self().body(figures).when().post("/runners/" + r.id() + "/heartbeat")
                    .then().statusCode(200)
                    .body("health", equalTo("healthy")).body("draining", equalTo(false)).body("pendingOperations", equalTo(1));
            var view = runner(r.id());
            assertThat(view.getDouble("cpuPercent")).isEqualTo(42.5);
            assertThat(view.getInt("activeConnections")).isEqualTo(7);
            assertThat(view.getDouble("avgThinkingMs")).isEqualTo(900.0);
            assertThat(view.getInt("queueDepth")).isEqualTo(3);
            assertThat(view.getInt("liveSessions")).isEqualTo(1);
        }

        @Test
        void needsTheRunnersOwnToken() {
            TestRunner r = register(freshPool(), 1);
            TestRunner other = register(freshPool(), 1);
            as(RUNNER).body(Map.of()).when().post("/runners/" + r.id() + "/heartbeat")
                    .then().statusCode(403).contentType("application/problem+json")
                    .body("type", equalTo("urn:fleet:problem:runner-token"));
            as(RUNNER).header("X-Runner-Token", other.token()).body(Map.of()).when().post("/runners/" + r.id() + "/heartbeat")
                    .then().statusCode(403).body("type", equalTo("urn:fleet:problem:runner-token"));
            as(ADMIN).body(Map.of()).when().post("/runners/" + r.id() + "/heartbeat").then().statusCode(200);
            as(ADMIN).body(Map.of()).when().post("/runners/00000000-0000-0000-0000-000000000001/heartbeat")
                    .then().statusCode(404).body("type", equalTo("urn:fleet:problem:runner-not-found"));
        }

        @Test
        void rejectsImpossibleFigures() {
            TestRunner r = register(freshPool(), 1);
            r.self().body(Map.of("cpuPercent", 140)).when().post("/runners/" + r.id() + "/heartbeat")
                    .then().statusCode(400).contentType("application/problem+json");
        }

        @Test
        void overloadOrSelfReportedTroubleShowsInHealthAndIsAnnounced() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            List<JsonObject> heard = listen(pool);
            assertThat(r.heartbeat(Map.of("cpuPercent", 95)).getString("health")).isEqualTo("degraded");
            assertThat(r.heartbeat(Map.of("healthy", false)).getString("health")).isEqualTo("unhealthy");
            assertThat(r.heartbeat(Map.of("cpuPercent", 10)).getString("health")).isEqualTo("healthy");
            assertThat(r.heartbeat(Map.of("cpuPercent", 11)).getString("health")).isEqualTo("healthy");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(heard)
                    .extracting(e -> e.getString("event") + ":" + e.getString("health"))
                    .containsExactly("health:degraded", "health:unhealthy", "health:healthy"));
        }
    }

    @Nested
    class HealthFromSilence {

        @Test
        void aSilentRunnerDegradesThenTurnsUnhealthyThenGoneAndIsFinallyForgotten() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            List<JsonObject> heard = listen(pool);

            clock.advance(Duration.ofSeconds(16));
            sweeper.runOnce().await().indefinitely();
            assertThat(runner(r.id()).getString("health")).isEqualTo("degraded");
            clock.advance(Duration.ofSeconds(15));
            sweeper.runOnce().await().indefinitely();
            assertThat(runner(r.id()).getString("health")).isEqualTo("unhealthy");
            clock.advance(Duration.ofSeconds(30));
            sweeper.runOnce().await().indefinitely();
            assertThat(runner(r.id()).getString("health")).isEqualTo("gone");
            as(CLIENT).queryParam("pool", pool).queryParam("state", "gone").when().get("/runners")
                    .then().statusCode(200).body("runners.id", hasItem(r.id()));

            // Back from the dead: one on-time heartbeat makes it healthy.
            assertThat(r.heartbeat(Map.of()).getString("health")).isEqualTo("healthy");

            clock.advance(Duration.ofMinutes(62));
            sweeper.runOnce().await().indefinitely();
            as(CLIENT).when().get("/runners/" + r.id()).then().statusCode(404);
            // The sweep changes every silent runner of the test database at once, so its announcement
            // may have overflowed into a bare "catch up"; the heartbeat's own announcement never does.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(String.join(",", heard.stream()
                    .map(e -> e.getString("event") + ":" + e.getString("health")).toList()))
                    .matches("(.*,)?(health:degraded|overflow:null),(.*,)?(health:unhealthy|overflow:null),"
                            + "(.*,)?(health:gone|overflow:null),(.*,)?health:healthy,(.*,)?(deregistered:gone|overflow:null)(,.*)?"));
        }
    }

    @Nested
    class DrainAndDeregister {

        @Test
        void aDrainingRunnerGetsNoNewSessionsAndIsListedAsDraining() {
            String pool = freshPool();
            TestRunner r = register(pool, 5);
            r.self().when().post("/runners/" + r.id() + "/drain").then().statusCode(200).body("draining", equalTo(true));
            as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "human"))
                    .when().post("/sessions").then().statusCode(503).header("Retry-After", notNullValue())
                    .body("type", equalTo("urn:fleet:problem:no-runner"));
            as(CLIENT).queryParam("pool", pool).queryParam("state", "draining").when().get("/runners")
                    .then().statusCode(200).body("runners.id", equalTo(List.of(r.id())));
            assertThat(r.heartbeat(Map.of()).getBoolean("draining")).isTrue();
        }

        @Test
        void deregisterRefusesWhileSessionsLiveUnlessForced() {
            String pool = freshPool();
            TestRunner r = register(pool, 2);
            String session = createSession(pool, Map.of()).getString("target");
            r.self().when().delete("/runners/" + r.id()).then().statusCode(409)
                    .body("type", equalTo("urn:fleet:problem:runner-busy")).body("liveSessions", equalTo(1));
            r.self().queryParam("force", true).when().delete("/runners/" + r.id()).then().statusCode(200);
            as(CLIENT).when().get("/runners/" + r.id()).then().statusCode(404);
            as(CLIENT).when().get("/sessions/" + session).then().statusCode(200)
                    .body("state", equalTo("error")).body("stateReason", equalTo("runner deregistered"))
                    .body("resources", equalTo(null));
        }

        @Test
        void listingFiltersByPoolAndRejectsUnknownStates() {
            String pool = freshPool();
            TestRunner a = register(pool, 1);
            register(freshPool(), 1);
            as(CLIENT).queryParam("pool", pool).when().get("/runners").then().statusCode(200)
                    .body("runners.id", equalTo(List.of(a.id())));
            as(CLIENT).queryParam("state", "sleepy").when().get("/runners").then().statusCode(400)
                    .contentType("application/problem+json");
            as(CLIENT).queryParam("pool", pool).queryParam("state", "healthy").when().get("/runners")
                    .then().statusCode(200).body("runners.id", not(org.hamcrest.Matchers.empty()));
        }
    }

    /** Collects this pool's fleet_runner events. */
    private List<JsonObject> listen(String pool) {
        return HeardEvents.listen(hub, Channel.RUNNER, e -> pool.equals(e.getString("pool")));
    }
}
