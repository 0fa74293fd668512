package dev.fleet.session.metrics;

import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runningSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SessionMetricsTest {

    @Inject
    MetricsSampler sampler;

    @Test
    void exposesCountsOfRunnersSessionsHeartbeatsAndOperations() {
        String pool = freshPool();
        TestRunner r = register(pool, 2);
        r.heartbeat(Map.of("cpuPercent", 10, "memoryPercent", 25));
        runningSession(pool, r);
        sampler.runOnce().await().indefinitely();
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .contains("fleet_session_runners{health=\"healthy\",pool=\"" + pool + "\"} 1.0")
                .contains("fleet_session_sessions{pool=\"" + pool + "\",state=\"running\"} 1.0")
                .contains("fleet_session_sessions_created_total{outcome=\"placed\",pool=\"" + pool + "\"} 1.0")
                .contains("fleet_session_operations_ended_total{kind=\"start\",outcome=\"done\"}")
                .contains("fleet_session_heartbeats_total")
                .contains("fleet_session_start_latency_seconds_bucket");
        String runner = "pool=\"" + pool + "\",runner=\"" + r.id() + "\"";
        assertThat(metrics)
                .contains("fleet_session_runner_cpu_ratio{" + runner + "} 0.1")
                .contains("fleet_session_runner_memory_ratio{" + runner + "} 0.25")
                .contains("fleet_session_runner_sessions{" + runner + "} 1.0")
                .contains("fleet_session_runner_max_sessions{" + runner + "} 2.0")
                .contains("fleet_session_runner_healthy{" + runner + "} 1.0")
                .contains("fleet_session_runner_last_heartbeat_timestamp_seconds{" + runner + "} 1.");
    }
}
