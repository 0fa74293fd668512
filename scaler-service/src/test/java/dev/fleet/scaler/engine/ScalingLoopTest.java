package dev.fleet.scaler.engine;

import static dev.fleet.scaler.ScalerApi.ADMIN;
import static dev.fleet.scaler.ScalerApi.CLIENT;
import static dev.fleet.scaler.ScalerApi.RUNNER;
import static dev.fleet.scaler.ScalerApi.as;
import static dev.fleet.scaler.ScalerApi.enqueue;
import static dev.fleet.scaler.ScalerApi.freshPool;
import static dev.fleet.scaler.ScalerApi.putPool;
import static dev.fleet.scaler.ScalerApi.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.FleetServicesResource;
import dev.fleet.scaler.RecordingBackend;
import dev.fleet.scaler.policy.PoolState;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;

/** The leader's loop against the real queue- and session-service, acting through the recording backend. */
@QuarkusTest
@WithTestResource(FleetServicesResource.class)
class ScalingLoopTest {

    private static final Map<String, Object> QUEUE_DRIVEN = Map.of("rules", List.of(),
            "queueTarget", Map.of("jobsPerInstance", 2), "scaleOutCooldown", "0s");

    @Inject
    LeaderElection leader;
    @Inject
    ScalingLoop loop;
    @Inject
    RecordingBackend backend;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry meters;
    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @BeforeEach
    void lead() {
        assertThat(leader.check()).as("this replica leads").isTrue();
    }

    @Test
    void enqueueingPastTheQueueTargetCallsTheBackendWithoutWaitingForARound() {
        String pool = freshPool();
        putPool(pool, 0, 5, QUEUE_DRIVEN, false);
        enqueue(pool, 5); // the NOTIFY alone triggers it: no round runs in this test

        await().atMost(Duration.ofSeconds(30)).until(() -> !backend.calls(pool).isEmpty());
        RecordingBackend.Call call = backend.calls(pool).getFirst();
        assertThat(call.instances()).isEqualTo(3); // ceil(5 waiting / 2 per instance)

        await().atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(events(pool).getString("events[0].outcome")));
        JsonPath events = events(pool);
        assertThat(events.getInt("events[0].from")).isZero();
        assertThat(events.getInt("events[0].to")).isEqualTo(3);
        assertThat(events.getString("events[0].rule")).isIn("wake-up", "queue-target");
        assertThat(events.getString("events[0].backendCall")).isEqualTo("recording.scaleTo(3)");
        assertThat(events.getDouble("events[0].inputs.queueDepth")).isEqualTo(5.0);
        as(CLIENT).when().get("/pools/" + pool).then().statusCode(200).body("instances",
                org.hamcrest.Matchers.equalTo(3));
    }

    @Test
    void dryRunRecordsTheDecisionAndCallsNothing() throws Exception {
        String pool = freshPool();
        putPool(pool, 0, 5, QUEUE_DRIVEN, true);
        enqueue(pool, 4);
        await().atMost(Duration.ofSeconds(30)).until(() -> !events(pool).getList("events").isEmpty());
        assertThat(events(pool).getString("events[0].outcome")).isEqualTo("dry-run");
        assertThat(events(pool).getBoolean("events[0].dryRun")).isTrue();
        loop.roundAndWait();
        assertThat(backend.calls(pool)).isEmpty();
        as(CLIENT).when().get("/pools/" + pool).then().body("instances", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aManualScaleIsCarriedOutByTheLeaderAndHoldsOffScaleInForTheCooldown() throws Exception {
        String pool = freshPool();
        putPool(pool, 0, 5, Map.of("rules", List.of(), "queueTarget", Map.of("jobsPerInstance", 2)), false);
        JsonPath requested = as(ADMIN).body(Map.of("instances", 4, "reason", "load test at noon")).when()
                .post("/pools/" + pool + "/scale").then().statusCode(202).extract().jsonPath();
        assertThat(requested.getString("outcome")).isEqualTo("pending");
        assertThat(requested.getString("reason")).isEqualTo("manual: load test at noon");

        await().atMost(Duration.ofSeconds(30)).until(() -> backend.calls(pool).size() == 1);
        assertThat(backend.calls(pool).getFirst().instances()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(events(pool).getString("events[0].outcome")));

        // Nothing waits, so the queue target wants 0 — but a scale-in waits out its cooldown after the manual change.
        loop.roundAndWait();
        assertThat(backend.calls(pool)).hasSize(1);
        assertThat(events(pool).getList("events")).hasSize(1);
    }

    @Test
    void aFailedBackendCallIsRecordedAsFailed() {
        String pool = freshPool();
        as(ADMIN).body(Map.of("maxInstances", 3, "backend", Map.of("kind", "recording", "settings",
                Map.of("fail", "true")), "policy", QUEUE_DRIVEN)).when().put("/pools/" + pool).then().statusCode(201);
        enqueue(pool, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> events(pool).getList("events.outcome").contains("failed"));
        assertThat(events(pool).getList("events.outcomeDetail")).contains("told to fail");
        // The pool's size follows what the backend really has (nothing), not what was asked.
        as(CLIENT).when().get("/pools/" + pool).then().body("instances", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void whenEveryRunnerIsUnhealthyThePoolIsReplacedOnceNotEveryRound() throws Exception {
        String pool = freshPool();
        putPool(pool, 2, 4, Map.of("rules", List.of()), false);
        loop.roundAndWait(); // below its minimum: brought to 2 at once
        await().atMost(Duration.ofSeconds(30)).until(() -> !backend.calls(pool).isEmpty() && !loop.calling(pool));
        assertThat(backend.calls(pool)).extracting(RecordingBackend.Call::instances).containsOnly(2);
        for (int i = 0; i < 2; i++) {
            JsonPath runner = sessions(RUNNER).body(Map.of("pool", pool, "endpoint", "http://127.0.0.1:" + (19000 + i),
                    "maxSessions", 1)).when().post("/runners").then().statusCode(201).extract().jsonPath();
            sessions(RUNNER).header("X-Runner-Token", runner.getString("token")).body(Map.of("healthy", false))
                    .when().post("/runners/" + runner.getString("runner.id") + "/heartbeat").then().statusCode(200);
        }
        loop.roundAndWait();
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.calls(pool).stream()
                .anyMatch(call -> call.action().equals("replaceAll")));
        int callsAfterReplace = backend.calls(pool).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> "ok".equals(events(pool).getString("events[0].outcome")));
        assertThat(events(pool).getBoolean("events[0].alert")).isTrue();
        assertThat(events(pool).getString("events[0].kind")).isEqualTo("replace-all");

        loop.roundAndWait();
        // A call the round started is marked as calling before the round ends; wait it out, then count.
        await().atMost(Duration.ofSeconds(30)).until(() -> !loop.calling(pool));
        assertThat(backend.calls(pool)).hasSize(callsAfterReplace);
    }

    @Test
    void morePoolRunnersThanRecordedInstancesDoNotStopTheRound() throws Exception {
        String pool = freshPool();
        putPool(pool, 1, 3, Map.of("rules", List.of()), false);
        for (int i = 0; i < 2; i++) { // started by hand, not by the scaler: the pool's recorded size is 0
            sessions(RUNNER).body(Map.of("pool", pool, "endpoint", "http://127.0.0.1:" + (19100 + i),
                    "maxSessions", 1)).when().post("/runners").then().statusCode(201);
        }
        loop.roundAndWait();
        await().atMost(Duration.ofSeconds(30)).until(() -> !backend.calls(pool).isEmpty());
        assertThat(backend.calls(pool).getFirst().instances()).isEqualTo(1); // brought to its minimum
    }

    @Test
    void healthCountsAreCappedAtTheRecordedSize() {
        assertThat(ScalingLoop.state(0, new dev.fleet.scaler.input.PoolInputs(0, 0, 2, 2, 0, 10, 10)))
                .isEqualTo(PoolState.of(0, 0, 0));
        assertThat(ScalingLoop.state(2, new dev.fleet.scaler.input.PoolInputs(0, 0, 3, 0, 3, 10, 10))
                .allUnhealthy()).isTrue();
        assertThat(ScalingLoop.state(2, new dev.fleet.scaler.input.PoolInputs(0, 0, 4, 1, 3, 10, 10))
                .allUnhealthy()).isFalse();
    }

    @Test
    void onlyTheReplicaHoldingTheLockLeadsAndAnotherTakesOverWhenItGoes() {
        LeaderElection other = new LeaderElection(vertx, meters, url, Optional.of("fleet"), Optional.of("fleet"));
        try {
            assertThat(other.check()).isFalse();
            leader.stop(null); // closes its connection: PostgreSQL frees the lock at once
            await().atMost(Duration.ofSeconds(30)).until(other::check);
            assertThat(leader.isLeader()).isFalse();
        } finally {
            other.stop(null);
            leader.restart();
            await().atMost(Duration.ofSeconds(30)).until(leader::check);
        }
    }

    private static JsonPath events(String pool) {
        return as(CLIENT).when().get("/pools/" + pool + "/events").then().statusCode(200).extract().jsonPath();
    }
}
