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
import static org.awaitility.Awaitility.await;
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

    @Inject
    ClaimWaiters waiters;

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

        await().atMost(Duration.ofSeconds(30)).until(() -> {
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

        Instant sent = Instant.now();
        var beat = as(RUNNER).body(Map.of("leaseToken", token(claimed))).when().post("/jobs/" + id + "/heartbeat")
                .then().statusCode(200).body("outcome", equalTo("ok")).extract().jsonPath();
        Instant answered = Instant.now();

        // A full lease from the moment the server handled the beat, somewhere between sending and the answer
        // (1 s either side for timestamp rounding), however long the request itself took.
        Instant extended = Instant.parse(beat.getString("leaseExpiresAt"));
        assertThat(extended).isAfterOrEqualTo(before)
                .isBetween(sent.plusSeconds(59), answered.plusSeconds(61));
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
        int waitingBefore = waiters.waitingCount();
        Instant started = Instant.now();
        CompletableFuture<List<Map<String, Object>>> waiting = CompletableFuture.supplyAsync(
                () -> claim(queue, "waiter", 1, 30_000), thread);
        await().atMost(Duration.ofSeconds(30)).until(() -> waiters.waitingCount() > waitingBefore);

        long id = enqueue(queue, "wake-up");
        List<Map<String, Object>> got = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS);
        Instant returned = Instant.now();
        thread.shutdown();

        assertThat(got).extracting(dev.fleet.queue.QueueApi::id).containsExactly(id);
        // The sweep (the scheduler) is off in %test, so only the NOTIFY can have woken it before its
        // 30 s wait ran out; at the end of the wait it would have re-checked and found the job too.
        assertThat(Duration.between(started, returned)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aWakeUpWakesOnlyTheClaimsThatWereWaitingWhenItCame() {
        String queue = freshQueue();
        List<CompletableFuture<Void>> again = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> first = List.of(waitAgainWhenWoken(queue, again), waitAgainWhenWoken(queue, again));

        waiters.wake(queue, 1000);
        assertThat(first).allMatch(CompletableFuture::isDone);
        // Else each would be woken and wait again, up to a thousand times deep on one stack.
        assertThat(again).hasSize(2).noneMatch(CompletableFuture::isDone);

        waiters.wake(queue, 2);
        assertThat(again).allMatch(CompletableFuture::isDone);
    }

    /** A waiting claim that, woken, finds nothing at once (a paused queue) and waits again, on the same stack. */
    private CompletableFuture<Void> waitAgainWhenWoken(String queue, List<CompletableFuture<Void>> again) {
        return waiters.register(queue).await(Duration.ofSeconds(30))
                .invoke(() -> again.add(waiters.register(queue).await(Duration.ofSeconds(30))
                        .subscribeAsCompletionStage().toCompletableFuture()))
                .subscribeAsCompletionStage().toCompletableFuture();
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
