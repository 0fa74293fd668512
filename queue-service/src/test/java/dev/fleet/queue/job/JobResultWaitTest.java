package dev.fleet.queue.job;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.id;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class JobResultWaitTest {

    @Inject
    ResultWaiters waiters;

    /** Own threads (as the claim tests use): requests from the common pool do not reach the test instance. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool();

    private static CompletableFuture<JsonPath> awaitResult(long job, long waitMs) {
        return CompletableFuture.supplyAsync(() -> as(CLIENT).queryParam("waitMs", waitMs).when().get("/jobs/" + job)
                .then().statusCode(200).extract().jsonPath(), THREADS);
    }

    /** Waits until {@code extra} more producers than before wait in this replica. */
    private void untilWaiting(int before, int extra) {
        await().atMost(Duration.ofSeconds(20)).until(() -> waiters.waitingCount() >= before + extra);
    }

    @Test
    void aWaitingProducerGetsTheResultWhenTheRunnerCompletesTheJob() throws Exception {
        String queue = freshQueue();
        long job = enqueue(queue, Map.of("kind", "noop"));
        int before = waiters.waitingCount();
        CompletableFuture<JsonPath> waiting = awaitResult(job, 25_000);
        untilWaiting(before, 1);
        assertThat(waiting).isNotDone();

        Map<String, Object> claimed = claim(queue, 1).get(0);
        as(RUNNER).body(Map.of("leaseToken", token(claimed), "result", Map.of("answer", 42)))
                .when().post("/jobs/" + id(claimed) + "/complete").then().statusCode(200);
        JsonPath done = waiting.get(20, TimeUnit.SECONDS);
        assertThat(done.getString("state")).isEqualTo("succeeded");
        assertThat(done.getInt("result.answer")).isEqualTo(42);
    }

    @Test
    void aJobThatDiesOrIsCancelledEndsTheWaitToo() throws Exception {
        String queue = freshQueue();
        long dying = enqueue(queue, Map.of("kind", "noop"));
        long cancelled = enqueue(queue, Map.of("kind", "noop", "delayMs", 600_000));
        int before = waiters.waitingCount();
        CompletableFuture<JsonPath> forDying = awaitResult(dying, 25_000);
        CompletableFuture<JsonPath> forCancelled = awaitResult(cancelled, 25_000);
        untilWaiting(before, 2);

        Map<String, Object> claimed = claim(queue, 1).get(0);
        as(RUNNER).body(Map.of("leaseToken", token(claimed), "error", "bad input", "retryable", false))
                .when().post("/jobs/" + id(claimed) + "/fail").then().statusCode(200);
        as(CLIENT).when().post("/jobs/" + cancelled + "/cancel").then().statusCode(200);

        assertThat(forDying.get(20, TimeUnit.SECONDS).getString("state")).isEqualTo("dead");
        assertThat(forCancelled.get(20, TimeUnit.SECONDS).getString("state")).isEqualTo("cancelled");
    }

    @Test
    void aRetryIsNotAnOutcomeAndTheWaitEndsWithTheJobAsItIs() throws Exception {
        String queue = freshQueue();
        long job = enqueue(queue, Map.of("kind", "noop", "maxAttempts", 3));
        Map<String, Object> claimed = claim(queue, 1).get(0);
        as(RUNNER).body(Map.of("leaseToken", token(claimed), "error", "flaky", "retryable", true))
                .when().post("/jobs/" + id(claimed) + "/fail").then().statusCode(200);
        JsonPath after = awaitResult(job, 300).get(20, TimeUnit.SECONDS);
        assertThat(after.getString("state")).isEqualTo("failed");
    }

    @Test
    void aFinishedJobIsAnsweredAtOnce() throws Exception {
        String queue = freshQueue();
        long job = enqueue(queue, Map.of("kind", "noop"));
        Map<String, Object> claimed = claim(queue, 1).get(0);
        as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/" + job + "/complete").then()
                .statusCode(200);
        assertThat(awaitResult(job, 30_000).get(20, TimeUnit.SECONDS).getString("state")).isEqualTo("succeeded");
    }

    @Test
    void badWaitsAreRefused() {
        String queue = freshQueue();
        long job = enqueue(queue, Map.of("kind", "noop"));
        as(CLIENT).queryParam("waitMs", 30_001).when().get("/jobs/" + job).then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:fleet:problem:invalid-field"))
                .body("field", equalTo("waitMs"))
                .body("limit", equalTo(30_000));
        as(CLIENT).queryParam("waitMs", -1).when().get("/jobs/" + job).then().statusCode(400)
                .body("type", equalTo("urn:fleet:problem:validation"));
        as(CLIENT).queryParam("waitMs", 1000).when().get("/jobs/99999999999").then().statusCode(404)
                .body("type", equalTo("urn:fleet:problem:job-not-found"));
    }

}
