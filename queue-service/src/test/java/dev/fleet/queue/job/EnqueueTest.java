package dev.fleet.queue.job;

import static dev.fleet.queue.QueueApi.ADMIN;
import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.freshQueue;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.QueueApi;
import dev.fleet.queue.maintenance.JobScheduler;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EnqueueTest {

    @Inject
    JobScheduler scheduler;

    @Test
    void newJobIsAvailableWithTheQueueDefaults() {
        String queue = freshQueue();

        var response = as(CLIENT).body(Map.of("kind", "render", "payload", Map.of("url", "https://example.org")))
                .when().post("/queues/" + queue + "/jobs").then()
                .statusCode(201)
                .body("state", equalTo("available"))
                .body("priority", equalTo("P3"))
                .body("attempt", equalTo(0))
                .body("maxAttempts", equalTo(3))
                .body("payload.url", equalTo("https://example.org"))
                .extract();
        var job = response.jsonPath();
        assertThat(response.header("Location")).endsWith("/jobs/" + job.getLong("id"));

        // P3 is a normal-class priority: TTL 1 h from when it is due.
        Duration ttl = Duration.between(Instant.parse(job.getString("runAt")), Instant.parse(job.getString("expiresAt")));
        assertThat(ttl).isEqualTo(Duration.ofHours(1));
        assertThat(QueueApi.job(job.getLong("id")).getString("kind")).isEqualTo("render");
    }

    @Test
    void ttlFollowsThePriorityClass() {
        String queue = freshQueue();
        Map<String, Duration> expected = Map.of("P0", Duration.ofMinutes(5), "P4", Duration.ofHours(1),
                "P6", Duration.ofHours(24));

        expected.forEach((priority, ttl) -> {
            var job = as(CLIENT).body(Map.of("kind", "k", "priority", priority)).when()
                    .post("/queues/" + queue + "/jobs").then().statusCode(201).extract().jsonPath();
            assertThat(Duration.between(Instant.parse(job.getString("runAt")), Instant.parse(job.getString("expiresAt"))))
                    .as(priority).isEqualTo(ttl);
        });
    }

    @Test
    void sameUniqueKeyWhileLiveReturnsTheExistingJobWith200() {
        String queue = freshQueue();
        Map<String, Object> job = Map.of("kind", "sync", "uniqueKey", "tenant-7");

        long first = as(CLIENT).body(job).when().post("/queues/" + queue + "/jobs").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        long second = as(CLIENT).body(job).when().post("/queues/" + queue + "/jobs").then().statusCode(200)
                .extract().jsonPath().getLong("id");

        assertThat(second).isEqualTo(first);
    }

    @Test
    void uniqueKeyIsFreeAgainOnceTheJobFinished() {
        String queue = freshQueue();
        Map<String, Object> job = Map.of("kind", "sync", "uniqueKey", "once");
        long first = QueueApi.enqueue(queue, job);
        as(CLIENT).when().post("/jobs/" + first + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));

        long second = QueueApi.enqueue(queue, job);

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void delayedJobIsScheduledUntilDueThenAvailable() {
        String queue = freshQueue();
        long id = as(CLIENT).body(Map.of("kind", "later", "delayMs", 300)).when().post("/queues/" + queue + "/jobs")
                .then().statusCode(201).body("state", equalTo("scheduled")).extract().jsonPath().getLong("id");
        assertThat(QueueApi.claim(queue, 5)).isEmpty();

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            scheduler.runOnce().await().indefinitely();
            return QueueApi.job(id).getString("state").equals("available");
        });

        assertThat(QueueApi.claim(queue, 5)).extracting(QueueApi::id).containsExactly(id);
    }

    @Test
    void batchEnqueueCreatesAllInOneRequestAndReportsDuplicates() {
        String queue = freshQueue();
        List<Map<String, Object>> jobs = IntStream.range(0, 50)
                .mapToObj(i -> Map.<String, Object>of("kind", "bulk", "payload", Map.of("n", i), "uniqueKey", "k" + (i % 40)))
                .toList();

        var answer = as(CLIENT).body(Map.of("jobs", jobs)).when().post("/queues/" + queue + "/jobs/batch").then()
                .statusCode(200)
                .body("jobs", hasSize(50))
                .extract().jsonPath();

        assertThat(answer.getList("jobs.created", Boolean.class).stream().filter(c -> c).count()).isEqualTo(40);
        // Item 40 repeats item 0's key: it answers with item 0's job.
        assertThat(answer.getLong("jobs[40].id")).isEqualTo(answer.getLong("jobs[0].id"));
    }

    @Test
    void aFullBatchOfDuplicatesAnswersEveryItemInOrder() {
        String queue = freshQueue();
        List<Map<String, Object>> jobs = IntStream.range(0, 1000)
                .mapToObj(i -> Map.<String, Object>of("kind", "bulk", "uniqueKey", "k" + (i % 10)))
                .toList();

        var answer = as(CLIENT).body(Map.of("jobs", jobs)).when().post("/queues/" + queue + "/jobs/batch").then()
                .statusCode(200)
                .body("jobs", hasSize(1000))
                .extract().jsonPath();

        assertThat(answer.getList("jobs.created", Boolean.class).stream().filter(c -> c).count()).isEqualTo(10);
        assertThat(answer.getLong("jobs[997].id")).isEqualTo(answer.getLong("jobs[7].id"));
    }

    @Test
    void batchOverTheLimitIs413AndEnqueuesNothing() {
        String queue = freshQueue();
        List<Map<String, Object>> jobs = IntStream.range(0, 1001).mapToObj(i -> Map.<String, Object>of("kind", "x")).toList();

        as(CLIENT).body(Map.of("jobs", jobs)).when().post("/queues/" + queue + "/jobs/batch").then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("field", equalTo("jobs"))
                .body("limit", equalTo(1000));
        as(CLIENT).when().get("/queues/" + queue).then().statusCode(404);
    }

    @Test
    void unknownPriorityIs400NamingTheField() {
        as(CLIENT).body(Map.of("kind", "x", "priority", "P9")).when().post("/queues/" + freshQueue() + "/jobs").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("field", equalTo("priority"));
    }

    @Test
    void oversizedPayloadIs413NamingTheLimit() {
        String big = "x".repeat(262_145);

        as(CLIENT).body(Map.of("kind", "x", "payload", Map.of("blob", big))).when()
                .post("/queues/" + freshQueue() + "/jobs").then()
                .statusCode(413)
                .body("field", equalTo("payload"))
                .body("limit", equalTo(262_144));
    }

    @Test
    void missingKindAndNegativeDelayAreListed() {
        as(CLIENT).body(Map.of("delayMs", -5)).when().post("/queues/" + freshQueue() + "/jobs").then()
                .statusCode(400)
                .body("type", equalTo("urn:fleet:problem:validation"))
                .body("errors.field", org.hamcrest.Matchers.hasItems("kind", "delayMs"));
    }

    @Test
    void badQueueNameIs422() {
        as(CLIENT).body(Map.of("kind", "x")).when().post("/queues/-bad%20name/jobs").then()
                .statusCode(422)
                .body("field", equalTo("queue"));
    }

    @Test
    void runAtAndDelayTogetherAre422() {
        as(CLIENT).body(Map.of("kind", "x", "delayMs", 10, "runAt", "2030-01-01T00:00:00Z")).when()
                .post("/queues/" + freshQueue() + "/jobs").then()
                .statusCode(422)
                .body("field", equalTo("runAt"));
    }

    @Test
    void enqueueNeedsAToken() {
        given().contentType("application/json").body(Map.of("kind", "x")).when()
                .post("/queues/" + freshQueue() + "/jobs").then().statusCode(401);
    }

    @Test
    void listingFiltersAndPagesNewestFirst() {
        String queue = freshQueue();
        List<Long> ids = IntStream.range(0, 5).mapToObj(i -> QueueApi.enqueue(queue, "page")).toList();

        var first = as(ADMIN).when().get("/jobs?queue=" + queue + "&state=available&limit=3").then().statusCode(200)
                .body("jobs", hasSize(3)).extract().jsonPath();
        var second = as(ADMIN).when().get("/jobs?queue=" + queue + "&limit=3&cursor=" + first.getLong("nextCursor"))
                .then().statusCode(200).body("jobs", hasSize(2)).extract().jsonPath();

        assertThat(first.getList("jobs.id", Long.class)).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        assertThat(second.getList("jobs.id", Long.class)).containsExactly(ids.get(1), ids.get(0));
        assertThat(second.getString("nextCursor")).isNull();
        as(ADMIN).when().get("/jobs?limit=501").then().statusCode(422).body("field", equalTo("limit"));
    }
}
