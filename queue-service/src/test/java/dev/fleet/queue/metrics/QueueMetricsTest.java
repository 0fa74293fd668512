package dev.fleet.queue.metrics;

import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class QueueMetricsTest {

    @Inject
    DepthSampler sampler;

    @Test
    void transitionsAndDepthAppearInPrometheusMetrics() {
        String queue = freshQueue();
        enqueue(queue, Map.of("kind", "k", "priority", "P1"));
        enqueue(queue, Map.of("kind", "k", "priority", "P4"));
        Map<String, Object> claimed = claim(queue, 1).get(0);
        as(RUNNER).body(Map.of("leaseToken", token(claimed))).when()
                .post("/jobs/" + claimed.get("id") + "/complete").then().statusCode(200);

        sampler.runOnce().await().indefinitely();

        String tag = "queue=\"" + queue + "\"";
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("fleet_queue_jobs_enqueued_total{" + tag + "} 2.0"))
                .body(containsString("fleet_queue_jobs_claimed_total{" + tag + "} 1.0"))
                .body(containsString("fleet_queue_jobs_total{outcome=\"succeeded\"," + tag + "} 1.0"))
                .body(containsString("fleet_queue_available{priority=\"P4\"," + tag + "} 1.0"))
                .body(containsString("fleet_queue_wait_seconds_count{" + tag + "} 1"))
                .body(containsString("fleet_queue_claim_latency_seconds_bucket{" + tag))
                .body(containsString("fleet_queue_oldest_available_age_seconds{" + tag));
    }
}
