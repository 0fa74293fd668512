package dev.fleet.queue.queue;

import static dev.fleet.queue.QueueApi.ADMIN;
import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.configure;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class QueueResourceTest {

    @Test
    void statsShowDepthByStateAndPriorityAndWhoRunsWhat() {
        String queue = freshQueue();
        enqueue(queue, Map.of("kind", "k", "priority", "P0"));
        enqueue(queue, Map.of("kind", "k", "priority", "P6"));
        enqueue(queue, Map.of("kind", "k", "priority", "P6"));
        claim(queue, "runner-a", 1, 0);

        as(CLIENT).when().get("/queues/" + queue).then().statusCode(200)
                .body("settings.name", equalTo(queue))
                .body("stats.depth.available", equalTo(2))
                .body("stats.depth.running", equalTo(1))
                .body("stats.availableByPriority.P6", equalTo(2))
                .body("stats.availableByPriority.P0", equalTo(0))
                .body("stats.runningByRunner.runner-a", equalTo(1));
        as(CLIENT).when().get("/queues").then().statusCode(200).body("settings.name", hasItem(queue));
    }

    @Test
    void settingsChangeByApiAndKeepWhatIsNotSent() {
        String queue = freshQueue();
        configure(queue, Map.of("maxAttempts", 7, "leaseMs", 5000));

        as(ADMIN).body(Map.of("ratePerSecond", 10)).when().put("/queues/" + queue).then().statusCode(200)
                .body("maxAttempts", equalTo(7))
                .body("leaseMs", equalTo(5000))
                .body("ratePerSecond", equalTo(10.0f));
        as(ADMIN).body(Map.of("ratePerSecond", 0)).when().put("/queues/" + queue).then().statusCode(200)
                .body("ratePerSecond", equalTo(null));
    }

    @Inject
    Pool pool;

    @Test
    void aSettingsChangeWaitingOnAPauseKeepsThePause() throws Exception {
        String queue = freshQueue();
        configure(queue, Map.of("maxAttempts", 3));
        // A pause in flight: its transaction holds the row, changed and not yet committed.
        SqlConnection pausing = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        try {
            pausing.query("BEGIN").execute().await().atMost(Duration.ofSeconds(30));
            pausing.preparedQuery("UPDATE queue.queues SET paused = true WHERE name = $1").execute(Tuple.of(queue))
                    .await().atMost(Duration.ofSeconds(30));
            CompletableFuture<Integer> put = CompletableFuture.supplyAsync(() -> as(ADMIN)
                    .body(Map.of("maxAttempts", 7)).when().put("/queues/" + queue).then().extract().statusCode());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pool
                    .preparedQuery("SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()")
                    .execute().await().atMost(Duration.ofSeconds(30)).iterator().next().getLong("n") > 0);
            pausing.query("COMMIT").execute().await().atMost(Duration.ofSeconds(30));
            assertThat(put.get(30, TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            pausing.close().await().atMost(Duration.ofSeconds(30));
        }
        as(ADMIN).when().get("/queues/" + queue).then().statusCode(200)
                .body("settings.paused", equalTo(true)).body("settings.maxAttempts", equalTo(7));
    }

    @Test
    void inconsistentOrAbsurdSettingsAreRejected() {
        String queue = freshQueue();
        as(ADMIN).body(Map.of("backoffBaseMs", 5000, "backoffMaxMs", 100)).when().put("/queues/" + queue).then()
                .statusCode(422).body("field", equalTo("backoffMaxMs"));
        as(ADMIN).body(Map.of("leaseMs", -1, "maxAttempts", 0)).when().put("/queues/" + queue).then()
                .statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItems("leaseMs", "maxAttempts"));
        as(CLIENT).body(Map.of("maxAttempts", 2)).when().put("/queues/" + queue).then().statusCode(403);
        as(CLIENT).when().get("/queues/" + queue).then().statusCode(404);
    }

    @Test
    void rateLimitCapsJobsPerSecond() {
        String queue = freshQueue();
        configure(queue, Map.of("ratePerSecond", 2));
        for (int i = 0; i < 10; i++) {
            enqueue(queue, "k");
        }
        // The bucket holds at most one second's worth (2) and refills at 2 a second while the claims run,
        // so two claims get at most 2 plus what the time between them refilled, however slow the machine.
        long started = System.nanoTime();
        int first = claim(queue, 10).size();
        int second = claim(queue, 10).size();
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(first + second).isLessThanOrEqualTo(2 + (int) Math.floor(2 * seconds));
    }

    @Test
    void fairnessLimitCapsRunningJobsPerKey() {
        String queue = freshQueue();
        configure(queue, Map.of("fairnessLimit", 1));
        enqueue(queue, Map.of("kind", "k", "fairnessKey", "tenant-a"));
        enqueue(queue, Map.of("kind", "k", "fairnessKey", "tenant-a"));
        enqueue(queue, Map.of("kind", "k", "fairnessKey", "tenant-b"));

        var claimed = claim(queue, 10);

        assertThat(claimed).extracting(j -> j.get("fairnessKey")).containsExactlyInAnyOrder("tenant-a", "tenant-b");
        assertThat(claim(queue, 10)).as("tenant-a is at its limit").isEmpty();
    }

    @Test
    void costBudgetStopsAtTheFirstJobThatDoesNotFit() {
        String queue = freshQueue();
        configure(queue, Map.of("costPerMinute", 1000));
        enqueue(queue, Map.of("kind", "llm", "cost", 2000));
        enqueue(queue, Map.of("kind", "llm", "cost", 10));

        // The bucket starts empty and fills at 1000/min; a job costing more than a minute's budget waits for a full bucket.
        assertThat(claim(queue, 10)).isEmpty();
    }
}
