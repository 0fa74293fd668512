package dev.fleet.queue.deadletter;

import static dev.fleet.queue.QueueApi.ADMIN;
import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.job;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class DeadLetterTest {

    /** Claims the queue's next job and fails it for good. */
    private static long killNext(String queue) {
        Map<String, Object> claimed = claim(queue, 1).get(0);
        long id = dev.fleet.queue.QueueApi.id(claimed);
        as(RUNNER).body(Map.of("leaseToken", token(claimed), "error", "broken", "retryable", false)).when()
                .post("/jobs/" + id + "/fail").then().statusCode(200).body("state", equalTo("dead"));
        return id;
    }

    @Test
    void deadJobsAreListedAndOneCanBeReplayedWithFreshAttempts() {
        String queue = freshQueue();
        enqueue(queue, Map.of("kind", "k", "priority", "P2"));
        long id = killNext(queue);

        as(CLIENT).when().get("/dead-letters?queue=" + queue).then().statusCode(200)
                .body("jobs.id", org.hamcrest.Matchers.contains((int) id));

        as(ADMIN).when().post("/dead-letters/" + id + "/replay").then().statusCode(200)
                .body("state", equalTo("available"))
                .body("attempt", equalTo(0))
                .body("priority", equalTo("P2"))
                .body("errors[0].error", equalTo("broken"));
        assertThat(claim(queue, 1)).extracting(dev.fleet.queue.QueueApi::id).containsExactly(id);
        as(ADMIN).when().post("/dead-letters/" + id + "/replay").then().statusCode(409)
                .body("type", equalTo("urn:fleet:problem:not-dead"));
    }

    @Test
    void replayAllMatchingTakesOnlyWhatTheFilterSays() {
        String queue = freshQueue();
        enqueue(queue, "keep-dead");
        enqueue(queue, "replay-me");
        enqueue(queue, "replay-me");
        long keep = killNext(queue);
        long a = killNext(queue);
        long b = killNext(queue);

        as(ADMIN).body(Map.of("queue", queue, "kind", "replay-me")).when().post("/dead-letters/replay").then()
                .statusCode(200).body("count", equalTo(2)).body("more", equalTo(false));

        assertThat(job(a).getString("state")).isEqualTo("available");
        assertThat(job(b).getString("state")).isEqualTo("available");
        assertThat(job(keep).getString("state")).isEqualTo("dead");
    }

    @Test
    void replayNeverBreaksTheOneLiveJobPerUniqueKeyRule() {
        String queue = freshQueue();
        enqueue(queue, Map.of("kind", "k", "uniqueKey", "only-one"));
        long dead = killNext(queue);
        long live = enqueue(queue, Map.of("kind", "k", "uniqueKey", "only-one"));

        as(ADMIN).when().post("/dead-letters/" + dead + "/replay").then().statusCode(409)
                .body("type", equalTo("urn:fleet:problem:unique-key-live"));
        as(ADMIN).body(Map.of("queue", queue)).when().post("/dead-letters/replay").then()
                .statusCode(200).body("count", equalTo(0));
        assertThat(job(live).getString("state")).isEqualTo("available");
    }

    @Test
    void purgeDeletesOnlyMatchingDeadJobsAndNeedsAdmin() {
        String queue = freshQueue();
        enqueue(queue, "k");
        enqueue(queue, "k");
        long dead = killNext(queue);

        as(CLIENT).when().delete("/dead-letters?queue=" + queue).then().statusCode(403);
        as(ADMIN).when().delete("/dead-letters?queue=" + queue).then().statusCode(200).body("count", equalTo(1));

        as(CLIENT).when().get("/jobs/" + dead).then().statusCode(404);
        assertThat(claim(queue, 5)).hasSize(1);
    }
}
