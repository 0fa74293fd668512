package dev.fleet.queue.claim;

import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.configure;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.id;
import static dev.fleet.queue.QueueApi.job;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.maintenance.JobScheduler;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ClaimTest {

    @Inject
    JobScheduler scheduler;

    @Test
    void highestPriorityFirstThenFifoWithinAPriority() {
        String queue = freshQueue();
        long low = enqueue(queue, Map.of("kind", "k", "priority", "P5"));
        long normal1 = enqueue(queue, Map.of("kind", "k", "priority", "P3"));
        long urgent = enqueue(queue, Map.of("kind", "k", "priority", "P0"));
        long normal2 = enqueue(queue, Map.of("kind", "k", "priority", "P3"));

        List<Map<String, Object>> claimed = claim(queue, 10);

        assertThat(claimed).extracting(dev.fleet.queue.QueueApi::id).containsExactly(urgent, normal1, normal2, low);
        assertThat(claimed).allSatisfy(j -> {
            assertThat(j.get("leaseToken")).isNotNull();
            assertThat(j.get("attempt")).isEqualTo(1);
        });
    }

    @Test
    void aStartedJobHasNoExpiryInsteadOfASentinel() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        assertThat(job(id).getString("expiresAt")).as("not started yet: it expires").isNotNull();

        claim(queue, 1);

        var started = job(id);
        assertThat(started.getString("state")).isEqualTo("running");
        assertThat(started.getMap("$")).doesNotContainKey("expiresAt");
    }

    @Test
    void claimTakesAtMostItsCapacity() {
        String queue = freshQueue();
        for (int i = 0; i < 5; i++) {
            enqueue(queue, "k");
        }

        assertThat(claim(queue, 2)).hasSize(2);
        assertThat(claim(queue, 10)).hasSize(3);
        assertThat(claim(queue, 10)).isEmpty();
    }

    @Test
    void pausedQueueHandsOutNothingUntilResumed() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        as(dev.fleet.queue.QueueApi.ADMIN).when().post("/queues/" + queue + "/pause").then().statusCode(200)
                .body("paused", equalTo(true));

        assertThat(claim(queue, 1)).isEmpty();

        as(dev.fleet.queue.QueueApi.ADMIN).when().post("/queues/" + queue + "/resume").then().statusCode(200);
        assertThat(claim(queue, 1)).extracting(dev.fleet.queue.QueueApi::id).containsExactly(id);
    }

    @Test
    void completeStoresTheResultAndAStaleTokenChangesNothing() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        Map<String, Object> claimed = claim(queue, 1).get(0);

        as(RUNNER).body(Map.of("leaseToken", UUID.randomUUID())).when().post("/jobs/" + id + "/complete").then()
                .statusCode(409)
                .body("type", equalTo("urn:fleet:problem:lease-lost"))
                .body("state", equalTo("running"));
        assertThat(job(id).getString("state")).isEqualTo("running");

        as(RUNNER).body(Map.of("leaseToken", token(claimed), "result", Map.of("pages", 3))).when()
                .post("/jobs/" + id + "/complete").then().statusCode(200).body("state", equalTo("succeeded"));
        assertThat(job(id).getInt("result.pages")).isEqualTo(3);

        // The same (now spent) token again: 409, and the job stays succeeded.
        as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/" + id + "/fail")
                .then().statusCode(400);
        as(RUNNER).body(Map.of("leaseToken", token(claimed), "error", "late")).when().post("/jobs/" + id + "/fail")
                .then().statusCode(409).body("state", equalTo("succeeded"));
        as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/999999999/complete")
                .then().statusCode(404);
    }

    @Test
    void failedJobRetriesWithBackoffAndGoesDeadWithItsErrorHistory() {
        String queue = freshQueue();
        configure(queue, Map.of("maxAttempts", 2, "backoffBaseMs", 200, "backoffMaxMs", 400));
        long id = enqueue(queue, "flaky");

        Map<String, Object> first = claim(queue, 1).get(0);
        Instant failedAt = Instant.now();
        var retry = as(RUNNER).body(Map.of("leaseToken", token(first), "error", "boom 1")).when()
                .post("/jobs/" + id + "/fail").then().statusCode(200)
                .body("state", equalTo("failed")).body("runAt", notNullValue()).extract().jsonPath();
        Instant answeredAt = Instant.now();
        // base 200 ms, at most 400 ms after the failure, however long the request itself took
        assertThat(Instant.parse(retry.getString("runAt"))).isBetween(failedAt.plusMillis(50), answeredAt.plusMillis(1000));
        assertThat(claim(queue, 1)).as("not before its retry time").isEmpty();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            scheduler.runOnce().await().indefinitely();
            return job(id).getString("state").equals("available");
        });
        Map<String, Object> second = claim(queue, 1).get(0);
        assertThat(second.get("attempt")).isEqualTo(2);
        as(RUNNER).body(Map.of("leaseToken", token(second), "error", "boom 2")).when()
                .post("/jobs/" + id + "/fail").then().statusCode(200).body("state", equalTo("dead"));

        var dead = job(id);
        assertThat(dead.getString("deadReason")).isEqualTo("max-attempts");
        assertThat(dead.getList("errors.error")).containsExactly("boom 1", "boom 2");
    }

    @Test
    void nonRetryableFailureGoesDeadAtOnce() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        Map<String, Object> claimed = claim(queue, 1).get(0);

        as(RUNNER).body(Map.of("leaseToken", token(claimed), "error", "bad input", "retryable", false)).when()
                .post("/jobs/" + id + "/fail").then().statusCode(200).body("state", equalTo("dead"));
        assertThat(job(id).getString("deadReason")).isEqualTo("non-retryable");
    }

    @Test
    void releaseGivesTheJobBackWithoutUsingAnAttempt() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        Map<String, Object> claimed = claim(queue, 1).get(0);

        as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/" + id + "/release").then()
                .statusCode(200).body("state", equalTo("available"));

        Map<String, Object> again = claim(queue, 1).get(0);
        assertThat(id(again)).isEqualTo(id);
        assertThat(again.get("attempt")).isEqualTo(1);
        assertThat(token(again)).isNotEqualTo(token(claimed));
    }

    @Test
    void heartbeatExtendsTheLease() {
        String queue = freshQueue();
        configure(queue, Map.of("leaseMs", 60_000));
        long id = enqueue(queue, "k");
        Map<String, Object> claimed = claim(queue, 1).get(0);
        Instant before = Instant.parse((String) claimed.get("leaseExpiresAt"));

        var beat = as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/" + id + "/heartbeat")
                .then().statusCode(200).body("outcome", equalTo("ok")).extract().jsonPath();

        assertThat(Instant.parse(beat.getString("leaseExpiresAt"))).isAfterOrEqualTo(before);
        assertThat(Duration.between(Instant.now(), Instant.parse(beat.getString("leaseExpiresAt"))))
                .isGreaterThan(Duration.ofSeconds(50));
    }

    @Test
    void batchFormsGiveEachItemItsOwnOutcome() {
        String queue = freshQueue();
        enqueue(queue, "a");
        enqueue(queue, "b");
        List<Map<String, Object>> claimed = claim(queue, 2);

        var beats = as(RUNNER).body(Map.of("items", List.of(
                Map.of("jobId", id(claimed.get(0)), "leaseToken", token(claimed.get(0))),
                Map.of("jobId", id(claimed.get(1)), "leaseToken", UUID.randomUUID()),
                Map.of("jobId", 987_654_321L, "leaseToken", UUID.randomUUID()))))
                .when().post("/leases/heartbeat").then().statusCode(200).extract().jsonPath();
        assertThat(beats.getList("results.outcome")).containsExactly("ok", "lease-lost", "not-found");
        as(RUNNER).body(Map.of("items", List.of(
                Map.of("jobId", id(claimed.get(0)), "leaseToken", token(claimed.get(0))),
                Map.of("jobId", id(claimed.get(0)), "leaseToken", token(claimed.get(0))))))
                .when().post("/leases/complete").then().statusCode(422).body("field", equalTo("items[1].jobId"));

        var done = as(RUNNER).body(Map.of("items", List.of(
                Map.of("jobId", id(claimed.get(0)), "leaseToken", token(claimed.get(0))),
                Map.of("jobId", id(claimed.get(1)), "leaseToken", token(claimed.get(1))))))
                .when().post("/leases/complete").then().statusCode(200).extract().jsonPath();
        assertThat(done.getList("results.state")).containsExactly("succeeded", "succeeded");
    }

    @Test
    void waitingClaimWakesAsSoonAsAJobIsEnqueued() throws Exception {
        String queue = freshQueue();
        enqueue(queue, "warm-up");
        claim(queue, 1);
        var thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        CompletableFuture<List<Map<String, Object>>> waiting = CompletableFuture.supplyAsync(
                () -> claim(queue, "waiter", 1, 20_000), thread);
        Thread.sleep(300); // let the claim start waiting; the assertion below does not depend on it

        Instant enqueued = Instant.now();
        long id = enqueue(queue, "wake-up");
        List<Map<String, Object>> got = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        thread.shutdown();

        assertThat(got).extracting(dev.fleet.queue.QueueApi::id).containsExactly(id);
        assertThat(Duration.between(enqueued, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void waitingClaimReturnsEmptyAfterItsWait() {
        Instant started = Instant.now();
        assertThat(claim(freshQueue(), "patient", 1, 300)).isEmpty();
        assertThat(Duration.between(started, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(280));
    }

    @Test
    void absurdClaimParametersAreRejectedNamingTheField() {
        String queue = freshQueue();
        as(RUNNER).body(Map.of("runnerId", "r", "max", 501)).when().post("/queues/" + queue + "/claim")
                .then().statusCode(422).body("field", equalTo("max")).body("limit", equalTo(500));
        as(RUNNER).body(Map.of("runnerId", "r", "waitMs", 60_000)).when().post("/queues/" + queue + "/claim")
                .then().statusCode(422).body("field", equalTo("waitMs"));
        as(RUNNER).body(Map.of("runnerId", "r", "max", 0, "waitMs", -1)).when().post("/queues/" + queue + "/claim")
                .then().statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItems("max", "waitMs"));
        as(dev.fleet.queue.QueueApi.CLIENT).body(Map.of("runnerId", "r")).when().post("/queues/" + queue + "/claim")
                .then().statusCode(403);
    }
}
