package dev.fleet.telemetry.slo;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SloTest {

    @Inject
    SloService slos;

    @Test
    void jobWaitsAndRequestTimesAreMeasuredAgainstTheirClassTargetWeightedBySampling() {
        String queue = fresh("orders");
        String route = fresh("checkout");
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            samples.add(job(queue, "P0", 150));                      // within P0's 200 ms
        }
        Map<String, Object> late = job(queue, "P0", 300);            // missed, and sent at rate 1/2: counts twice
        attributes(late).put("sampleRate", 0.5);
        samples.add(late);
        samples.add(job(queue, "P6", 240_000));                      // within P6's 5 min
        for (int i = 0; i < 9; i++) {
            samples.add(request(route, "P3", 20));                   // within P3's 5 s
        }
        samples.add(request(route, "P3", 6_000));
        // what a reporter's free attributes may hold that no SLO can read: left out, never a failure
        Map<String, Object> wordy = job(queue, "P0", 0);
        attributes(wordy).put("waitMs", "soon");
        samples.add(wordy);
        samples.add(job(queue, "P9", 10));
        Map<String, Object> oddRate = job(queue, "P6", 10);
        attributes(oddRate).put("sampleRate", "half");
        samples.add(oddRate);
        ingest(samples);

        List<Map<String, Object>> all = as(CLIENT).when().get("/slos?window=PT10M").then().statusCode(200)
                .extract().jsonPath().getList("slos");
        Map<String, Object> p0 = line(all, "job-wait", queue, "P0");
        assertThat(p0).containsEntry("samples", 4).containsEntry("attained", false);
        assertThat(((Number) p0.get("ratio")).doubleValue()).isCloseTo(3.0 / 5, within(1e-6));
        assertThat(((Number) p0.get("targetMs")).doubleValue()).isEqualTo(200.0);
        assertThat(((Number) p0.get("goal")).doubleValue()).isCloseTo(0.99, within(1e-6));
        Map<String, Object> p6 = line(all, "job-wait", queue, "P6");
        assertThat(p6).containsEntry("samples", 2).containsEntry("attained", true);
        assertThat(((Number) p6.get("ratio")).doubleValue()).isEqualTo(1.0);
        Map<String, Object> p3 = line(all, "request-latency", route, "P3");
        assertThat(p3).containsEntry("samples", 10);
        assertThat(((Number) p3.get("ratio")).doubleValue()).isCloseTo(0.9, within(1e-6));
        assertThat(all).noneMatch(s -> queue.equals(s.get("scope")) && "P9".equals(s.get("priority")));

        slos.evaluate().await().indefinitely();
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fleet_telemetry_slo_ratio{objective=\"request-latency\",priority=\"P3\",scope=\""
                + route + "\"} 0.9");
    }

    @Test
    void aWindowMustBeAPositiveDurationWithinTheSampleRetention() {
        for (String window : List.of("banana", "PT0S", "-PT1H", "P30D")) {
            as(CLIENT).when().get("/slos?window=" + window).then().statusCode(422).contentType(PROBLEM)
                    .body("field", equalTo("window"));
        }
    }

    private static Map<String, Object> job(String queue, String priority, long waitMs) {
        Map<String, Object> sample = sample("runner-1", "job.noop", 1);
        sample.put("attributes", new HashMap<>(Map.of("queue", queue, "priority", priority, "waitMs", waitMs)));
        return sample;
    }

    private static Map<String, Object> request(String route, String priority, double durationMs) {
        Map<String, Object> sample = sample("gateway-1", "gateway.request", durationMs);
        sample.put("attributes", new HashMap<>(Map.of("route", route, "priority", priority)));
        return sample;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attributes(Map<String, Object> sample) {
        return (Map<String, Object>) sample.get("attributes");
    }

    private static Map<String, Object> line(List<Map<String, Object>> slos, String objective, String scope,
            String priority) {
        return slos.stream().filter(s -> objective.equals(s.get("objective")) && scope.equals(s.get("scope"))
                && priority.equals(s.get("priority"))).findFirst().orElseThrow(
                        () -> new AssertionError("no " + objective + " line for " + scope + " " + priority + " in " + slos));
    }
}
