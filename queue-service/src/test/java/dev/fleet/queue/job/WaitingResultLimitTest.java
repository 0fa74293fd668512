package dev.fleet.queue.job;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.as;
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
class WaitingResultLimitTest {

    @Inject
    ResultWaiters waiters;

    @Test
    void waitsPastTheCapAre429WithRetryAfterAndTheOthersStillGetTheirResults() throws Exception {
        String queue = freshQueue();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        long a = enqueue(queue, Map.of("kind", "noop"));
        long b = enqueue(queue, Map.of("kind", "noop"));
        List<CompletableFuture<String>> waiting = List.of(a, b).stream().map(job -> CompletableFuture.supplyAsync(
                () -> as(CLIENT).queryParam("waitMs", 20_000).when().get("/jobs/" + job).then().statusCode(200)
                        .extract().jsonPath().getString("state"), threads)).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiters.waitingCount() == 2);

        as(CLIENT).queryParam("waitMs", 1000).when().get("/jobs/" + a).then().statusCode(429)
                .header("Retry-After", "1")
                .contentType("application/problem+json")
                .body("type", equalTo("urn:fleet:problem:too-many-waiting-results"))
                .body("limit", equalTo(2));

        as(CLIENT).when().get("/queues/" + queue + "/outcomes").then().statusCode(429)
                .header("Retry-After", "1")
                .body("type", equalTo("urn:fleet:problem:too-many-waiting-results"));

        as(CLIENT).when().post("/jobs/" + a + "/cancel").then().statusCode(200);
        as(CLIENT).when().post("/jobs/" + b + "/cancel").then().statusCode(200);
        for (CompletableFuture<String> wait : waiting) {
            assertThat(wait.get(15, TimeUnit.SECONDS)).isEqualTo("cancelled");
        }
        threads.shutdown();
        assertThat(waiters.waitingCount()).isZero();
    }
}
