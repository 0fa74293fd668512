package dev.fleet.session.operation;

import static dev.fleet.session.SessionApi.ADMIN;
import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.RUNNER;
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

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import dev.fleet.session.maintenance.OperationPruner;
import dev.fleet.session.maintenance.OperationTimer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class OperationTest {

    @Inject
    MutableClock clock;

    @Inject
    OperationTimer timer;

    @Inject
    OperationPruner pruner;

    @Inject
    Pool pool;

    @Nested
    class Timeouts {

        @Test
        void anUnconfirmedStartTimesOutAndErrorsTheSession() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            JsonPath start = createSession(p, Map.of());
            clock.advance(Duration.ofSeconds(29));
            timer.runOnce().await().indefinitely();
            assertThat(operation(start.getString("id")).getBoolean("done")).isFalse();
            clock.advance(Duration.ofSeconds(2));
            timer.runOnce().await().indefinitely();
            JsonPath op = operation(start.getString("id"));
            assertThat(op.getBoolean("done")).isTrue();
            assertThat(op.getString("error.code")).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(op.getString("error.message")).isEqualTo("start did not finish within 30000 ms");
            assertThat(session(start.getString("target")).getString("state")).isEqualTo("error");
            assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(0);
        }

        @Test
        void aSlowPauseFailsButTheSessionKeepsRunning() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            String id = runningSession(p, r);
            String pause = act(id, "pause").getString("id");
            clock.advance(Duration.ofSeconds(11));
            timer.runOnce().await().indefinitely();
            assertThat(operation(pause).getString("error.code")).isEqualTo("DEADLINE_EXCEEDED");
            assertThat(session(id).getString("state")).isEqualTo("running");
            // A late report changes nothing.
            r.self().body(Map.of()).when().post("/operations/" + pause + "/complete").then().statusCode(409);
            assertThat(session(id).getString("state")).isEqualTo("running");
        }
    }

    @Nested
    class Reports {

        @Test
        void onlyTheAssignedRunnerMayReport() {
            String p = freshPool();
            register(p, 1);
            TestRunner stranger = register(freshPool(), 1);
            JsonPath start = createSession(p, Map.of());
            stranger.self().body(Map.of()).when().post("/operations/" + start.getString("id") + "/complete")
                    .then().statusCode(403).body("type", equalTo("urn:fleet:problem:runner-token"));
            as(CLIENT).body(Map.of()).when().post("/operations/" + start.getString("id") + "/complete")
                    .then().statusCode(403);
            as(ADMIN).body(Map.of()).when().post("/operations/" + start.getString("id") + "/complete")
                    .then().statusCode(200).body("done", equalTo(true));
        }

        @Test
        void progressIsRecordedAndMergedIntoMetadata() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            JsonPath start = createSession(p, Map.of());
            r.self().body(Map.of("progress", 40, "metadata", Map.of("phase", "launching browser")))
                    .when().post("/operations/" + start.getString("id") + "/progress")
                    .then().statusCode(200).body("progress", equalTo(40)).body("metadata.phase", equalTo("launching browser"))
                    .body("metadata.session", equalTo(start.getString("target"))).body("done", equalTo(false));
            r.self().body(Map.of("progress", 140)).when().post("/operations/" + start.getString("id") + "/progress")
                    .then().statusCode(400).contentType("application/problem+json");
        }

        @Test
        void listsByTargetAndRunnerWithAGuardrail() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            String id = runningSession(p, r);
            act(id, "pause");
            as(CLIENT).queryParam("target", id).when().get("/operations").then().statusCode(200)
                    .body("operations.kind", equalTo(java.util.List.of("pause", "start")));
            as(RUNNER).queryParam("runner", r.id()).queryParam("done", false).when().get("/operations")
                    .then().statusCode(200).body("operations.kind", equalTo(java.util.List.of("pause")));
            as(CLIENT).queryParam("limit", 501).when().get("/operations").then().statusCode(400)
                    .body("type", equalTo("urn:fleet:problem:limit-exceeded")).body("limit", equalTo(500));
            as(CLIENT).when().get("/operations/00000000-0000-0000-0000-000000000003").then().statusCode(404)
                    .body("type", equalTo("urn:fleet:problem:operation-not-found"));
        }
    }

    @Nested
    class Cancel {

        @Test
        void cancellingAStartStopsTheSessionAndAStopCannotBeCancelled() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            JsonPath start = createSession(p, Map.of());
            as(CLIENT).when().post("/operations/" + start.getString("id") + "/cancel").then().statusCode(200)
                    .body("error.code", equalTo("CANCELLED"));
            assertThat(session(start.getString("target")).getString("state")).isEqualTo("stopped");
            assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(0);

            String id = runningSession(p, r);
            String stop = act(id, "stop").getString("id");
            as(CLIENT).when().post("/operations/" + stop + "/cancel").then().statusCode(409)
                    .body("type", equalTo("urn:fleet:problem:not-cancellable"));
        }
    }

    @Nested
    class RestartThrottling {

        @Test
        void restartsBackOffAndStopAtTheWindowLimitWithAClearReason() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            String id = runningSession(p, r);
            String path = "/sessions/" + id + "/components/recorder/restart";

            r.complete(as(CLIENT).when().post(path).then().statusCode(202).body("kind", equalTo("restart"))
                    .body("metadata.component", equalTo("recorder")).extract().jsonPath().getString("id"));
            // Second restart within the 1 s backoff: refused at once.
            JsonPath refused = as(CLIENT).when().post(path).then().statusCode(429).header("Retry-After", notNullValue())
                    .body("type", equalTo("urn:fleet:problem:restart-throttled")).extract().jsonPath();
            assertThat(operation(refused.getString("operation")).getString("error.code")).isEqualTo("RESOURCE_EXHAUSTED");

            clock.advance(Duration.ofMillis(1100));
            r.complete(as(CLIENT).when().post(path).then().statusCode(202).extract().jsonPath().getString("id"));
            clock.advance(Duration.ofMillis(1100)); // backoff is now 2 s
            as(CLIENT).when().post(path).then().statusCode(429);
            clock.advance(Duration.ofSeconds(1));
            r.complete(as(CLIENT).when().post(path).then().statusCode(202).extract().jsonPath().getString("id"));

            clock.advance(Duration.ofSeconds(10)); // 3 restarts in the window: no more until it moves on
            as(CLIENT).when().post(path).then().statusCode(429)
                    .body("detail", org.hamcrest.Matchers.containsString("restarted 3 time(s)"));
            clock.advance(Duration.ofMinutes(5));
            as(CLIENT).when().post(path).then().statusCode(202);
            // Another component has its own budget.
            as(CLIENT).when().post("/sessions/" + id + "/components/browser/restart").then().statusCode(409)
                    .body("type", equalTo("urn:fleet:problem:operation-in-progress"));
        }
    }

    @Nested
    class Handover {

        @Test
        void movesTheSessionToAnotherRunnerAndGivesTheOldSlotBack() {
            String p = freshPool();
            TestRunner from = register(p, 1);
            String id = runningSession(p, from);
            TestRunner to = register(p, 1);
            JsonPath handover = as(CLIENT).body(Map.of("runnerId", to.id())).when().post("/sessions/" + id + "/handover")
                    .then().statusCode(202).body("kind", equalTo("handover")).body("runnerId", equalTo(to.id()))
                    .body("metadata.fromRunner", equalTo(from.id())).body("metadata.resources.display", equalTo(100))
                    .extract().jsonPath();
            assertThat(runner(to.id()).getInt("liveSessions")).isEqualTo(1);
            to.complete(handover.getString("id"));
            JsonPath moved = session(id);
            assertThat(moved.getString("runnerId")).isEqualTo(to.id());
            assertThat(moved.getString("host")).isEqualTo(to.host());
            assertThat(moved.getString("state")).isEqualTo("running");
            assertThat(runner(from.id()).getInt("liveSessions")).isEqualTo(0);
            Long leases = pool.preparedQuery("SELECT count(*) AS n FROM session.resource_leases WHERE session_id = $1")
                    .execute(Tuple.of(java.util.UUID.fromString(id))).await().indefinitely().iterator().next().getLong("n");
            assertThat(leases).isEqualTo(3);
        }

        @Test
        void aFailedHandoverLeavesTheSessionWhereItWas() {
            String p = freshPool();
            TestRunner from = register(p, 1);
            String id = runningSession(p, from);
            TestRunner to = register(p, 1);
            JsonPath handover = act(id, "handover");
            to.self().body(Map.of("error", "could not attach")).when().post("/operations/" + handover.getString("id") + "/fail")
                    .then().statusCode(200);
            assertThat(session(id).getString("runnerId")).isEqualTo(from.id());
            assertThat(runner(to.id()).getInt("liveSessions")).isEqualTo(0);
            as(CLIENT).body(Map.of("runnerId", from.id())).when().post("/sessions/" + id + "/handover")
                    .then().statusCode(422).body("field", equalTo("runnerId"));
        }
    }

    @Nested
    class Retention {

        @Test
        void keepsAtMostTheNewestOperationsPerSessionAndNoneBeyondTheirTtl() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            String id = runningSession(p, r);
            java.util.UUID target = java.util.UUID.fromString(id);
            // 600 finished operations for this session, written directly: the cap is 500.
            pool.preparedQuery("INSERT INTO session.operations (id, kind, target, done, created_at, updated_at, deadline)"
                    + " SELECT gen_random_uuid(), 'restart', $1, true, $2::timestamptz - n * interval '1 second', $2, $2"
                    + " FROM generate_series(1, 600) n")
                    .execute(Tuple.of(target, dev.fleet.platform.time.Timestamps.param(clock.instant())))
                    .await().indefinitely();
            OperationPruner.PruneResult result = pruner.runOnce().await().indefinitely();
            assertThat(result.overCap()).isGreaterThanOrEqualTo(101);
            assertThat(count(target)).isEqualTo(500);
            clock.advance(Duration.ofSeconds(86401));
            pruner.runOnce().await().indefinitely();
            assertThat(count(target)).isZero();
        }

        private long count(java.util.UUID target) {
            return pool.preparedQuery("SELECT count(*) AS n FROM session.operations WHERE target = $1")
                    .execute(Tuple.of(target)).await().indefinitely().iterator().next().getLong("n");
        }
    }
}
