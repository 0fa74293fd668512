package dev.fleet.telemetry.sample;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.list;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;

/** {@code GET /samples} and {@code GET /samples/summary}. */
@QuarkusTest
class SampleQueryTest {

    @Nested
    class Listing {

        @Test
        void filtersBySourceFeatureAndSinceNewestFirst() {
            String a = fresh("runner-a");
            String b = fresh("runner-b");
            String sleep = fresh("job.sleep");
            String echo = fresh("http.echo");
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            ingest(List.of(
                    sample(a, sleep, 1, now.minusSeconds(40)),
                    sample(a, echo, 2, now.minusSeconds(30)),
                    sample(b, sleep, 3, now.minusSeconds(20)),
                    sample(a, sleep, 4, now.minusSeconds(10))));

            assertThat(durations(list("source=" + a))).containsExactly(4.0, 2.0, 1.0);
            assertThat(durations(list("feature=" + sleep))).containsExactly(4.0, 3.0, 1.0);
            assertThat(durations(list("source=" + a + "&feature=" + sleep))).containsExactly(4.0, 1.0);
            assertThat(durations(list("feature=" + sleep + "&since=" + now.minusSeconds(20)))).containsExactly(4.0, 3.0);
            assertThat(durations(list("source=" + a + "&limit=2"))).containsExactly(4.0, 2.0);
        }

        @Test
        void limitDefaultsTo100() {
            String source = fresh("runner");
            ingest(IntStream.range(0, 101).mapToObj(i -> sample(source, "job.sleep", i)).toList());

            assertThat(list("source=" + source)).hasSize(100);
        }

        @Test
        void limitOverTheMaximumIs400LimitExceeded() {
            as(CLIENT).when().get("/samples?limit=1001").then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:limit-exceeded"))
                    .body("parameter", equalTo("limit"))
                    .body("limit", equalTo(1000));
        }

        @Test
        void limitBelowOneAndSinceThatIsNoInstantAre422() {
            as(CLIENT).when().get("/samples?limit=0").then()
                    .statusCode(422).contentType(PROBLEM).body("field", equalTo("limit"));
            as(CLIENT).when().get("/samples?since=today").then()
                    .statusCode(422).contentType(PROBLEM).body("field", equalTo("since"));
        }
    }

    @Nested
    class Summary {

        @Test
        void percentilesOfOneTo100MsAreInterpolated() {
            String feature = fresh("job.sleep");
            Instant at = Instant.now().minusSeconds(60);
            List<Map<String, Object>> batch = new ArrayList<>();
            for (int ms = 1; ms <= 100; ms++) {
                Map<String, Object> sample = sample(fresh("runner"), feature, ms, at);
                sample.put("outcome", ms % 10 == 0 ? "error" : "ok");
                batch.add(sample);
            }
            ingest(batch);

            JsonPath summary = as(CLIENT).when().get("/samples/summary?feature=" + feature).then()
                    .statusCode(200)
                    .body("features", hasSize(1))
                    .body("features[0].feature", equalTo(feature))
                    .body("features[0].count", equalTo(100))
                    .body("features[0].errors", equalTo(10))
                    .extract().jsonPath().using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
            assertThat(summary.getDouble("features[0].p50Ms")).isCloseTo(50.5, within(1e-9));
            assertThat(summary.getDouble("features[0].p95Ms")).isCloseTo(95.05, within(1e-9));
            assertThat(summary.getDouble("features[0].p99Ms")).isCloseTo(99.01, within(1e-9));
            assertThat(summary.getDouble("features[0].maxMs")).isEqualTo(100.0);
        }

        @Test
        void linesPerFeatureOfOneSourceSortedByFeature() {
            String source = fresh("runner");
            ingest(List.of(sample(source, "job.sleep", 30), sample(source, "http.echo", 5),
                    sample(source, "job.sleep", 10), sample(fresh("runner"), "job.sleep", 1000)));

            JsonPath summary = as(CLIENT).when().get("/samples/summary?source=" + source).then()
                    .statusCode(200)
                    .body("features.feature", contains("http.echo", "job.sleep"))
                    .body("features.count", contains(1, 2))
                    .extract().jsonPath();
            assertThat(summary.getDouble("features[1].maxMs")).isEqualTo(30.0);
            assertThat(summary.getDouble("features[1].p50Ms")).isEqualTo(20.0);
        }

        @Test
        void windowDefaultsToTheLast15MinutesAndSinceWidensIt() {
            String feature = fresh("http.echo");
            Instant now = Instant.now();
            ingest(List.of(sample("runner", feature, 1, now.minus(Duration.ofMinutes(20))),
                    sample("runner", feature, 2, now.minusSeconds(60))));

            as(CLIENT).when().get("/samples/summary?feature=" + feature).then()
                    .statusCode(200).body("features[0].count", equalTo(1));
            as(CLIENT).when().get("/samples/summary?feature=" + feature + "&since=" + now.minus(Duration.ofHours(1)))
                    .then().statusCode(200).body("features[0].count", equalTo(2));
        }

        @Test
        void noSamplesGiveNoLines() {
            as(CLIENT).when().get("/samples/summary?feature=" + fresh("nothing")).then()
                    .statusCode(200).body("features", hasSize(0));
        }
    }

    private static List<Double> durations(List<Map<String, Object>> samples) {
        return samples.stream().map(s -> ((Number) s.get("durationMs")).doubleValue()).toList();
    }
}
