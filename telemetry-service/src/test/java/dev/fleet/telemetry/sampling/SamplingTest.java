package dev.fleet.telemetry.sampling;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.RUNNER;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.list;
import static dev.fleet.telemetry.TelemetryApi.post;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.client.FleetClient;
import dev.fleet.client.FleetClientConfig;
import dev.fleet.client.RetryPolicy;
import dev.fleet.client.TelemetryReporter;
import dev.fleet.telemetry.MutableClock;
import io.quarkus.test.common.http.TestHTTPResource;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(SamplingCapProfile.class)
class SamplingTest {

    @Inject
    MutableClock clock;

    @TestHTTPResource
    URL base;

    @Test
    void theRulesAreServedToReporters() {
        as(CLIENT).when().get("/sampling").then().statusCode(200)
                .body("defaultRate", equalTo(0.9f))
                .body("features.'job.sleep'", equalTo(0.1f))
                .body("featureSets[0].name", equalTo("http"))
                .body("featureSets[0].features", contains("http.*", "proxy.pick"))
                .body("featureSets[0].rate", equalTo(0.5f))
                .body("capabilities.browser", equalTo(0.25f))
                .body("perSourcePerMinute", equalTo(5));
    }

    @Test
    void samplesOverTheirSourcesMinuteCapAreDroppedCountedAndSaidInTheAnswer() {
        startOfAMinute();
        double droppedBefore = counter("dropped");
        String noisy = fresh("noisy");
        String quiet = fresh("quiet");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            batch.add(sample(noisy, "job.sleep", i));
        }
        batch.add(sample(quiet, "job.sleep", 1));

        post(RUNNER, batch).statusCode(202).body("accepted", equalTo(6)).body("dropped", equalTo(2));
        // the rest of the minute: nothing more from the noisy source, the quiet one still has room
        post(RUNNER, List.of(sample(noisy, "job.sleep", 9), sample(quiet, "job.sleep", 2))).statusCode(202)
                .body("accepted", equalTo(1)).body("dropped", equalTo(1));
        // the next minute gives the noisy source a fresh allowance
        clock.advance(Duration.ofMinutes(1));
        post(RUNNER, List.of(sample(noisy, "job.sleep", 10))).statusCode(202)
                .body("accepted", equalTo(1)).body("dropped", equalTo(0));

        // the first five of the noisy source's minute are the ones kept
        assertThat(list("source=" + noisy + "&limit=100"))
                .extracting(s -> ((Number) s.get("durationMs")).intValue())
                .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 10);
        assertThat(list("source=" + quiet + "&limit=100")).hasSize(2);
        assertThat(counter("dropped")).isEqualTo(droppedBefore + 3);
    }

    @Test
    void theClientAppliesTheServedRulesBeforeSending() {
        String source = fresh("reporter");
        FleetClientConfig config = new FleetClientConfig(null, null, URI.create(base.toString()), RUNNER,
                Duration.ofSeconds(2), Duration.ofSeconds(10), RetryPolicy.DEFAULT);
        try (FleetClient fleet = new FleetClient(config);
                TelemetryReporter reporter = fleet.telemetry(source, Duration.ofHours(1), 100, 100)) {
            assertThat(reporter.rules().rateFor("job.sleep", null)).isEqualTo(0.1);
            assertThat(reporter.rules().rateFor("http.echo", "browser")).isEqualTo(0.5);
            assertThat(reporter.rules().rateFor("other", "browser")).isEqualTo(0.25);
            assertThat(reporter.rules().rateFor("other", null)).isEqualTo(0.9);
            for (int i = 0; i < 3; i++) {
                reporter.record("always", Duration.ofMillis(i), true, Map.of());
                reporter.record("never", Duration.ofMillis(i), true, Map.of());
            }
            reporter.flush();
            assertThat(reporter.sent()).isEqualTo(3);
            assertThat(reporter.sampledOut()).isEqualTo(3);
        }
        assertThat(list("source=" + source + "&limit=100")).extracting(s -> s.get("feature"))
                .containsExactly("always", "always", "always");
    }

    /** Moves the service clock to just after a minute turns, so a test has most of a minute to itself. */
    private void startOfAMinute() {
        long intoMinute = clock.millis() % 60_000;
        clock.advance(Duration.ofMillis(60_000 - intoMinute + 10));
    }

    private static double counter(String outcome) {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^fleet_telemetry_samples_total\\{outcome=\"" + outcome + "\"} (\\S+)$")
                .matcher(metrics);
        assertThat(m.find()).as("fleet_telemetry_samples_total{outcome=%s} in %s", outcome, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
