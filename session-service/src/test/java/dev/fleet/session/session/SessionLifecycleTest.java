package dev.fleet.session.session;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.act;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.operation;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runner;
import static dev.fleet.session.SessionApi.runningSession;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import dev.fleet.session.maintenance.OperationTimer;
import dev.fleet.session.maintenance.PendingPlacer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class SessionLifecycleTest {

    @Inject
    MutableClock clock;

    @Inject
    PendingPlacer placer;

    @Inject
    OperationTimer timer;

    @Inject
    dev.fleet.platform.notify.PgNotificationHub hub;

    @Nested
    class Create {

        @Test
        void labelsAreOptionalAndDefaultToNone() {
            String pool = freshPool();
            TestRunner r = register(pool, 1, Map.of("env", "staging"), "host-" + pool);
            String id = as(CLIENT).body(Map.of("pool", pool, "owner", "me", "kind", "agent")).when().post("/sessions")
                    .then().statusCode(202).body("runnerId", equalTo(r.id())).extract().path("target");
            assertThat(session(id).getMap("labels")).isEmpty();
        }

        @Test
        void placesTheSessionAndAnswersItsStartOperation() {
            String pool = freshPool();
            TestRunner r = register(pool, 2, Map.of("env", "staging"), "host-" + pool);
            JsonPath start = as(CLIENT).body(Map.of("pool", pool, "labels", Map.of("env", "staging"), "owner", "alice",
                    "kind", "human")).when().post("/sessions")
                    .then().statusCode(202).header("Location", org.hamcrest.Matchers.containsString("/operations/"))
                    .body("kind", equalTo("start")).body("done", equalTo(false)).body("runnerId", equalTo(r.id()))
                    .body("metadata.resources.display", equalTo(100))
                    .body("metadata.resources.portFrom", equalTo(20000))
                    .body("metadata.resources.portTo", equalTo(20009))
                    .body("metadata.resources.volume", equalTo("fleet-vol-0"))
                    .extract().jsonPath();
            String id = start.getString("target");
            JsonPath s = session(id);
            assertThat(s.getString("state")).isEqualTo("starting");
            assertThat(s.getString("runnerId")).isEqualTo(r.id());
            assertThat(s.getString("runnerEndpoint")).startsWith("http://127.0.0.1:");
            assertThat(s.getString("owner")).isEqualTo("alice");
            assertThat(s.getString("kind")).isEqualTo("human");
            assertThat(s.getInt("resources.display")).isEqualTo(100);

            r.complete(start.getString("id"));
            assertThat(session(id).getString("state")).isEqualTo("running");
            assertThat(session(id).getString("startedAt")).isNotNull();
            assertThat(operation(start.getString("id")).getBoolean("done")).isTrue();
            assertThat(operation(start.getString("id")).getInt("progress")).isEqualTo(100);
            assertThat(operation(start.getString("id")).getBoolean("result.ok")).isTrue();
        }

        @Test
        void picksTheLeastLoadedMatchingRunner() {
            String pool = freshPool();
            TestRunner gpu = register(pool, 4, Map.of("gpu", "true"), null);
            TestRunner plain = register(pool, 4, Map.of(), null);
            TestRunner gpu2 = register(pool, 4, Map.of("gpu", "true", "env", "prod"), null);
            List<String> placed = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                placed.add(as(CLIENT).body(Map.of("pool", pool, "labels", Map.of("gpu", "true"), "owner", "o", "kind", "agent"))
                        .when().post("/sessions").then().statusCode(202).extract().jsonPath().getString("runnerId"));
            }
            assertThat(placed).doesNotContain(plain.id());
            assertThat(placed.stream().filter(gpu.id()::equals).count()).isEqualTo(2);
            assertThat(placed.stream().filter(gpu2.id()::equals).count()).isEqualTo(2);
        }

        @Test
        void aFullPoolAnswers429AndAPoolWithoutRunners503BothWithRetryAfter() {
            String pool = freshPool();
            register(pool, 1);
            createSession(pool, Map.of());
            as(CLIENT).body(Map.of("pool", pool, "labels", Map.of(), "owner", "o", "kind", "agent"))
                    .when().post("/sessions")
                    .then().statusCode(429).contentType("application/problem+json").header("Retry-After", equalTo("5"))
                    .body("type", equalTo("urn:fleet:problem:pool-full")).body("pool", equalTo(pool));
            as(CLIENT).body(Map.of("pool", freshPool(), "labels", Map.of(), "owner", "o", "kind", "agent"))
                    .when().post("/sessions")
                    .then().statusCode(503).header("Retry-After", equalTo("5"))
                    .body("type", equalTo("urn:fleet:problem:no-runner"));
            as(CLIENT).queryParam("pool", pool).when().get("/sessions").then().statusCode(200)
                    .body("sessions.size()", equalTo(1));
        }

        @Test
        void refusesBadInput() {
            as(CLIENT).body(Map.of("pool", "p", "labels", Map.of("", "x"), "owner", "o", "kind", "agent")).when()
                    .post("/sessions").then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.containsString("labels")));
            as(CLIENT).body(Map.of("pool", "p", "labels", Map.of(), "owner", "o", "kind", "robot")).when().post("/sessions")
                    .then().statusCode(400).contentType("application/problem+json");
            as(CLIENT).when().get("/sessions/not-a-uuid").then().statusCode(404);
            as(CLIENT).when().get("/sessions/00000000-0000-0000-0000-000000000002").then().statusCode(404)
                    .body("type", equalTo("urn:fleet:problem:session-not-found"));
        }
    }

    @Nested
    class WaitingForARunner {

        @Test
        void aWaitingSessionIsPlacedWhenASlotFreesUp() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            String first = runningSession(pool, r);
            JsonPath waiting = createSession(pool, Map.of("waitForRunner", true));
            String second = waiting.getString("target");
            assertThat(session(second).getString("state")).isEqualTo("pending");
            assertThat(waiting.getString("runnerId")).isNull();

            placer.runOnce().await().indefinitely();
            assertThat(session(second).getString("state")).isEqualTo("pending");

            String stop = act(first, "stop").getString("id");
            r.complete(stop);
            assertThat(session(first).getString("state")).isEqualTo("stopped");

            assertThat(placer.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(1);
            JsonPath placed = session(second);
            assertThat(placed.getString("state")).isEqualTo("starting");
            assertThat(placed.getString("runnerId")).isEqualTo(r.id());
            JsonPath startOp = operation(waiting.getString("id"));
            assertThat(startOp.getString("runnerId")).isEqualTo(r.id());
            assertThat(startOp.getInt("metadata.resources.display")).isEqualTo(100); // the freed display, reused
            r.complete(waiting.getString("id"));
            assertThat(session(second).getString("state")).isEqualTo("running");
        }

        @Test
        void aSessionNobodyTakesExpiresAfterThePendingTimeout() {
            String pool = freshPool();
            register(pool, 1);
            createSession(pool, Map.of());
            JsonPath waiting = createSession(pool, Map.of("waitForRunner", true));
            clock.advance(java.time.Duration.ofMinutes(5).plusSeconds(1));
            timer.runOnce().await().indefinitely();
            JsonPath expired = session(waiting.getString("target"));
            assertThat(expired.getString("state")).isEqualTo("expired");
            assertThat(expired.getString("stateReason")).contains("no runner became free");
            assertThat(operation(waiting.getString("id")).getString("error.code")).isEqualTo("DEADLINE_EXCEEDED");
        }
    }

    @Nested
    class StateMachine {

        @Test
        void pauseAndResumeGoThroughTheRunner() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            String id = runningSession(pool, r);
            JsonPath pause = act(id, "pause");
            assertThat(pause.getString("kind")).isEqualTo("pause");
            assertThat(session(id).getString("state")).isEqualTo("running");
            assertThat(r.openOperations()).extracting(op -> op.get("id")).containsExactly(pause.getString("id"));
            r.complete(pause.getString("id"));
            assertThat(session(id).getString("state")).isEqualTo("paused");
            assertThat(session(id).getBoolean("autoPaused")).isFalse();
            r.complete(act(id, "resume").getString("id"));
            assertThat(session(id).getString("state")).isEqualTo("running");
        }

        @Test
        void anInvalidTransitionIs409NamingTheCurrentState() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            String id = runningSession(pool, r);
            as(CLIENT).when().post("/sessions/" + id + "/resume")
                    .then().statusCode(409).contentType("application/problem+json")
                    .body("type", equalTo("urn:fleet:problem:invalid-transition")).body("state", equalTo("running"))
                    .body("detail", org.hamcrest.Matchers.containsString("is running"));
            String pause = act(id, "pause").getString("id");
            as(CLIENT).when().post("/sessions/" + id + "/pause")
                    .then().statusCode(409).body("type", equalTo("urn:fleet:problem:operation-in-progress"))
                    .body("operation", equalTo(pause));
            r.complete(act(id, "stop").getString("id"));
            as(CLIENT).when().post("/sessions/" + id + "/stop")
                    .then().statusCode(409).body("state", equalTo("stopped"));
            assertThat(operation(pause).getString("error.code")).isEqualTo("ABORTED");
        }

        @Test
        void stoppingGivesTheSlotAndResourcesBackAndIsIdempotent() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            String id = runningSession(pool, r);
            assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(1);
            String stop = act(id, "stop").getString("id");
            assertThat(act(id, "stop").getString("id")).isEqualTo(stop);
            assertThat(session(id).getString("state")).isEqualTo("stopping");
            r.complete(stop);
            JsonPath stopped = session(id);
            assertThat(stopped.getString("state")).isEqualTo("stopped");
            assertThat(stopped.getString("endedAt")).isNotNull();
            assertThat(stopped.getMap("resources")).isNull();
            assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(0);
            assertThat(runner(r.id()).getInt("sessionsTotal")).isEqualTo(1);
        }

        @Test
        void aFailedStartEndsInErrorAndCountsAgainstTheRunner() {
            String pool = freshPool();
            TestRunner r = register(pool, 1);
            JsonPath start = createSession(pool, Map.of());
            r.self().body(Map.of("error", "browser crashed")).when().post("/operations/" + start.getString("id") + "/fail")
                    .then().statusCode(200).body("done", equalTo(true)).body("error.code", equalTo("FAILED"))
                    .body("error.message", equalTo("browser crashed"));
            JsonPath s = session(start.getString("target"));
            assertThat(s.getString("state")).isEqualTo("error");
            assertThat(s.getString("stateReason")).isEqualTo("start failed: browser crashed");
            assertThat(runner(r.id()).getInt("failuresTotal")).isEqualTo(1);
            assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(0);
            r.self().body(Map.of("result", "late")).when().post("/operations/" + start.getString("id") + "/complete")
                    .then().statusCode(409).body("type", equalTo("urn:fleet:problem:operation-done"));
        }

        @Test
        void aRunnerMayStopOnlyItsOwnSessions() {
            String pool = freshPool();
            TestRunner holder = register(pool, 1);
            TestRunner other = register(freshPool(), 1);
            String id = runningSession(pool, holder);
            other.self().when().post("/sessions/" + id + "/stop").then().statusCode(403)
                    .body("type", equalTo("urn:fleet:problem:runner-token"));
            as(dev.fleet.session.SessionApi.RUNNER).when().post("/sessions/" + id + "/stop").then().statusCode(403);
            assertThat(session(id).getString("state")).isEqualTo("running");
            holder.self().when().post("/sessions/" + id + "/stop").then().statusCode(202).body("kind", equalTo("stop"));
        }

        @Test
        void stoppingAWaitingSessionEndsItAtOnce() {
            String pool = freshPool();
            register(pool, 1);
            createSession(pool, Map.of());
            String waiting = createSession(pool, Map.of("waitForRunner", true)).getString("target");
            as(CLIENT).when().post("/sessions/" + waiting + "/stop").then().statusCode(202)
                    .body("done", equalTo(true)).body("result.state", equalTo("stopped"));
            assertThat(session(waiting).getString("state")).isEqualTo("stopped");
        }

        @Test
        void everyStateChangeIsAnnouncedOnFleetSession() {
            String pool = freshPool();
            List<io.vertx.core.json.JsonObject> heard = dev.fleet.session.HeardEvents.listen(hub,
                    dev.fleet.platform.notify.Channel.SESSION, e -> pool.equals(e.getString("pool")));
            TestRunner r = register(pool, 1);
            String id = runningSession(pool, r);
            r.complete(act(id, "stop").getString("id"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heard)
                    .extracting(e -> e.getString("previous") + ">" + e.getString("state"))
                    .containsExactly("null>starting", "starting>running", "running>stopping", "stopping>stopped"));
        }

        @Test
        void listsSessionsNewestFirstWithACursorAndAGuardrail() {
            String pool = freshPool();
            register(pool, 5);
            for (int i = 0; i < 3; i++) {
                createSession(pool, Map.of());
            }
            JsonPath page = as(CLIENT).queryParam("pool", pool).queryParam("limit", 2).when().get("/sessions")
                    .then().statusCode(200).body("sessions.size()", equalTo(2)).body("next.beforeId", notNullValue())
                    .extract().jsonPath();
            as(CLIENT).queryParam("pool", pool).queryParam("limit", 2)
                    .queryParam("beforeCreatedAt", page.getString("next.beforeCreatedAt"))
                    .queryParam("beforeId", page.getString("next.beforeId"))
                    .when().get("/sessions").then().statusCode(200).body("sessions.size()", equalTo(1));
            as(CLIENT).queryParam("limit", 1001).when().get("/sessions")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("urn:fleet:problem:limit-exceeded")).body("limit", equalTo(1000))
                    .body("parameter", equalTo("limit"));
        }
    }
}
