package dev.fleet.telemetry.metrics;

import static dev.fleet.telemetry.TelemetryApi.RUNNER;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.post;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TelemetryMetricsTest {

    @Test
    void acceptedAndRejectedSamplesAreCounted() {
        double accepted = counter("accepted");
        double rejected = counter("rejected");
        String source = fresh("runner");
        Map<String, Object> bad = sample(source, "job.sleep", -1);

        post(RUNNER, List.of(sample(source, "job.sleep", 1), sample(source, "job.sleep", 2))).statusCode(202);
        post(RUNNER, List.of(sample(source, "job.sleep", 1), sample(source, "job.sleep", 2), bad)).statusCode(422);

        assertThat(counter("accepted")).isEqualTo(accepted + 2);
        assertThat(counter("rejected")).isEqualTo(rejected + 3);
    }

    /** {@code fleet_telemetry_samples_total{outcome}} as scraped; both series exist from startup. */
    private static double counter(String outcome) {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^fleet_telemetry_samples_total\\{outcome=\"" + outcome + "\"} (\\S+)$")
                .matcher(metrics);
        assertThat(m.find()).as("fleet_telemetry_samples_total{outcome=\"%s\"} in /q/metrics", outcome).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
