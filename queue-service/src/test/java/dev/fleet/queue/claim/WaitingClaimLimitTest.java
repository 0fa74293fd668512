package dev.fleet.queue.claim;

import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.LowLimitsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(LowLimitsProfile.class)
class WaitingClaimLimitTest {

    @Inject
    ClaimWaiters waiters;

    @Test
    void claimsPastTheWaitingCapAre429WithRetryAfterAndTheOthersStillGetWork() throws Exception {
        String queue = freshQueue();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<CompletableFuture<List<Map<String, Object>>>> waiting = List.of(
                CompletableFuture.supplyAsync(() -> claim(queue, "w1", 1, 20_000), threads),
                CompletableFuture.supplyAsync(() -> claim(queue, "w2", 1, 20_000), threads));
        await().atMost(Duration.ofSeconds(30)).until(() -> waiters.waitingCount() == 2);

        as(RUNNER).body(Map.of("runnerId", "w3", "waitMs", 1000)).when().post("/queues/" + queue + "/claim").then()
                .statusCode(429)
                .header("Retry-After", "1")
                .contentType("application/problem+json")
                .body("type", equalTo("urn:fleet:problem:too-many-waiting-claims"))
                .body("limit", equalTo(2));

        enqueue(queue, "a");
        enqueue(queue, "b");
        int got = 0;
        for (CompletableFuture<List<Map<String, Object>>> claim : waiting) {
            got += claim.get(60, TimeUnit.SECONDS).size();
        }
        threads.shutdown();
        assertThat(got).isEqualTo(2);
        assertThat(waiters.waitingCount()).isZero();
    }
}
