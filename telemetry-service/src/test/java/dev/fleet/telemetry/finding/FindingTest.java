package dev.fleet.telemetry.finding;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.telemetry.MutableClock;
import dev.fleet.telemetry.maintenance.FindingEvaluator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FindingsProfile.class)
class FindingTest {

    @Inject
    MutableClock clock;

    @Inject
    FindingEvaluator evaluator;

    @Inject
    FindingsConfig config;

    @Test
    void aFindingOpensWithinOneEvaluationIntervalOfItsIndicatorHoldingAndResolvesWhenItNoLongerHolds() {
        String slow = fresh("job.slow");
        String failing = fresh("job.failing");
        String fine = fresh("job.fine");
        evaluator.runOnce().await().indefinitely();
        assertThat(open(slow)).isEmpty();

        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            samples.add(sample("runner-1", slow, 3000 + i));   // p95 > 2 s: critical
            Map<String, Object> f = sample("runner-1", failing, 10);
            if (i < 2) {
                f.put("outcome", "error");                     // 20 % errors: emergency
            }
            samples.add(f);
            samples.add(sample("runner-1", fine, 10));
        }
        ingest(samples);
        Instant holding = clock.instant();
        // the scheduler's next tick comes at most one interval later: that evaluation opens the findings
        clock.advance(config.interval());
        Instant evaluationStart = clock.instant().truncatedTo(ChronoUnit.MICROS); // as PostgreSQL keeps it
        evaluator.runOnce().await().indefinitely();
        Instant evaluationEnd = clock.instant();

        Map<String, Object> slowFinding = open(slow).get(0);
        assertThat(slowFinding).containsEntry("kind", "capacity").containsEntry("name", "response-time")
                .containsEntry("severity", "critical").containsEntry("threshold", 2000.0f).containsEntry("state", "open");
        Instant openedAt = Instant.parse((String) slowFinding.get("openedAt"));
        assertThat(openedAt).isBetween(evaluationStart, evaluationEnd);
        assertThat(Duration.between(holding, evaluationStart)).isLessThan(config.interval().plusSeconds(10));
        assertThat(open(failing)).singleElement().satisfies(f -> assertThat(f)
                .containsEntry("name", "error-rate").containsEntry("severity", "emergency"));
        assertThat(open(fine)).isEmpty();
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fleet_telemetry_finding_open{kind=\"capacity\",name=\"response-time\","
                + "severity=\"critical\",subject=\"" + slow + "\"} 1.0");

        // the samples leave the window: the next evaluation resolves both
        clock.advance(config.window().plusSeconds(1));
        evaluator.runOnce().await().indefinitely();
        assertThat(open(slow)).isEmpty();
        List<Map<String, Object>> resolved = as(CLIENT).when().get("/findings?state=resolved&limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("findings");
        assertThat(resolved).filteredOn(f -> slow.equals(f.get("subject")) || failing.equals(f.get("subject")))
                .hasSize(2).allSatisfy(f -> assertThat(f).containsEntry("state", "resolved"));
        assertThat(given().when().get("/q/metrics").then().extract().asString()).doesNotContain(slow);
    }

    @Test
    void anUnknownStateIsAProblem() {
        as(CLIENT).when().get("/findings?state=maybe").then().statusCode(422).contentType(PROBLEM)
                .body("field", equalTo("state"));
    }

    private static List<Map<String, Object>> open(String subject) {
        List<Map<String, Object>> all = as(CLIENT).when().get("/findings?state=open&limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("findings");
        return all.stream().filter(f -> subject.equals(f.get("subject"))).toList();
    }
}
