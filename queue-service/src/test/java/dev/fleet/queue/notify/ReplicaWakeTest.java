package dev.fleet.queue.notify;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.configure;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.id;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.claim.ClaimWaiters;
import dev.fleet.queue.job.ResultWaiters;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The wake-ups of waiting claimers and producers: this replica wakes its own the moment its
 * statement returns (and skips the copy of its NOTIFY that PostgreSQL hands back), while a
 * notification from another replica still wakes them here. The periodic re-read of waiting
 * producers is pushed out of reach (and the claim sweeper does not run in tests), so only a
 * wake-up can answer these waits in time.
 */
@QuarkusTest
@TestProfile(ReplicaWakeTest.NoRecheck.class)
class ReplicaWakeTest {

    public static class NoRecheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleet.queue.result-recheck", "120s");
        }
    }

    private static final ExecutorService THREADS = Executors.newCachedThreadPool();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Inject
    ClaimWaiters claimWaiters;

    @Inject
    ResultWaiters resultWaiters;

    @Inject
    ReplicaOrigin origin;

    @Test
    void anEnqueueHereAnswersAClaimWaitingHere() throws Exception {
        String queue = freshQueue();
        CompletableFuture<List<Map<String, Object>>> waiting = waitingClaim(queue);

        long job = enqueue(queue, "noop");
        assertThat(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(claimed -> id(claimed))
                .containsExactly(job);
    }

    @Test
    void anotherReplicasEnqueueAnswersAClaimWaitingHere() throws Exception {
        String queue = freshQueue();
        CompletableFuture<List<Map<String, Object>>> waiting = waitingClaim(queue);

        // What another replica's enqueue statement does: the row, and a NOTIFY with its own origin.
        long job = pool.preparedQuery("INSERT INTO queue.jobs (queue, kind, payload, priority, base_priority, state,"
                + " run_at, expires_at, max_attempts) VALUES ($1, 'noop', '{}', 3, 3, 'available', now(),"
                + " now() + interval '1 hour', 3) RETURNING id").execute(Tuple.of(queue))
                .await().atMost(WAIT).iterator().next().getLong("id");
        notify("fleet_queue", new JsonObject().put("event", "available").put("queue", queue).put("count", 1)
                .put("origin", "another-replica"));

        assertThat(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS)).extracting(claimed -> id(claimed))
                .containsExactly(job);
    }

    @Test
    void anOutcomeStoredHereAnswersAProducerWaitingHere() throws Exception {
        String queue = freshQueue();
        long job = enqueue(queue, "noop");
        Map<String, Object> claimed = claim(queue, 1).get(0);
        CompletableFuture<JsonPath> waiting = awaitResult(job);

        as(RUNNER).body(Map.of("items", List.of(Map.of("jobId", job, "leaseToken", token(claimed)))))
                .when().post("/leases/complete").then().statusCode(200);
        assertThat(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).getString("state")).isEqualTo("succeeded");
    }

    @Test
    void anotherReplicasOutcomeAnswersAProducerWaitingHere() throws Exception {
        String queue = freshQueue();
        long job = enqueue(queue, "noop");
        claim(queue, 1);
        CompletableFuture<JsonPath> waiting = awaitResult(job);

        // What another replica's completion does: the row, then its NOTIFY on fleet_job.
        pool.preparedQuery("UPDATE queue.jobs SET state = 'succeeded', finished_at = clock_timestamp(),"
                + " lease_token = NULL, lease_expires_at = NULL WHERE id = $1").execute(Tuple.of(job))
                .await().atMost(WAIT);
        notify("fleet_job", new JsonObject().put("event", "finished").put("queue", queue)
                .put("jobs", new JsonArray().add(job)).put("origin", "another-replica"));

        assertThat(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).getString("state")).isEqualTo("succeeded");
    }

    @Test
    void onlyThisReplicasOwnEventsCountAsSentHere() {
        assertThat(origin.sentHere(new JsonObject().put("origin", origin.id()))).isTrue();
        assertThat(origin.sentHere(new JsonObject().put("origin", "another-replica"))).isFalse();
        assertThat(origin.sentHere(new JsonObject())).isFalse();
    }

    /** Starts a claim's long wait on a new queue and returns once it waits in this replica. */
    private CompletableFuture<List<Map<String, Object>>> waitingClaim(String queue) {
        configure(queue, Map.of());
        int before = claimWaiters.waitingCount();
        CompletableFuture<List<Map<String, Object>>> waiting = CompletableFuture.supplyAsync(
                () -> claim(queue, "runner-a", 1, 25_000), THREADS);
        await().atMost(WAIT).until(() -> claimWaiters.waitingCount() > before);
        return waiting;
    }

    /** Starts a producer's long wait for the job and returns once it waits in this replica. */
    private CompletableFuture<JsonPath> awaitResult(long job) {
        int before = resultWaiters.waitingCount();
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() -> as(CLIENT)
                .queryParam("waitMs", 30_000).when().get("/jobs/" + job).then().statusCode(200).extract().jsonPath(),
                THREADS);
        await().atMost(WAIT).until(() -> resultWaiters.waitingCount() > before);
        return waiting;
    }

    private void notify(String channel, JsonObject event) {
        pool.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, event.encode())).await().atMost(WAIT);
    }
}
