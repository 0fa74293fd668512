package dev.fleet.telemetry.rollup;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.telemetry.maintenance.SampleRoller;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class RollupTest {

    @Inject
    SampleRoller roller;

    @Test
    void aClosedMinuteIsRolledUpPerFeatureAndSourceWithCountErrorsAndPercentiles() {
        String feature = fresh("job.roll");
        String a = fresh("runner-a");
        String b = fresh("runner-b");
        // the minute before the current one is closed and within the lateness window
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int ms = 1; ms <= 100; ms++) {
            Map<String, Object> s = sample(a, feature, ms, minute.plusMillis(ms * 100L));
            if (ms % 10 == 0) {
                s.put("outcome", "error");
            }
            samples.add(s);
        }
        samples.add(sample(b, feature, 7, minute.plusSeconds(30)));
        ingest(samples);

        roller.runOnce().await().indefinitely();
        roller.runOnce().await().indefinitely(); // rolling again replaces, never adds

        List<Map<String, Object>> rollups = as(CLIENT).when()
                .get("/rollups?feature=" + feature + "&since=" + minute.minus(1, ChronoUnit.HOURS))
                .then().statusCode(200).extract().jsonPath().getList("rollups");
        assertThat(rollups).hasSize(2);
        Map<String, Object> ofA = rollups.stream().filter(r -> a.equals(r.get("source"))).findFirst().orElseThrow();
        assertThat(ofA).containsEntry("minute", minute.toString()).containsEntry("count", 100)
                .containsEntry("errors", 10).containsEntry("p50Ms", 50.5f).containsEntry("maxMs", 100.0f);
        assertThat(((Number) ofA.get("p95Ms")).doubleValue()).isEqualTo(95.05, offset(1e-3));
        assertThat(((Number) ofA.get("p99Ms")).doubleValue()).isEqualTo(99.01, offset(1e-3));
        Map<String, Object> ofB = rollups.stream().filter(r -> b.equals(r.get("source"))).findFirst().orElseThrow();
        assertThat(ofB).containsEntry("count", 1).containsEntry("errors", 0).containsEntry("p99Ms", 7.0f);
    }

    @Test
    void aSummaryWindowLongerThanSummaryFromRollupsAfterIsReadFromTheRollups() {
        String feature = fresh("job.long");
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int ms = 1; ms <= 10; ms++) {
            Map<String, Object> s = sample("runner-a", feature, ms, minute.plusSeconds(ms));
            if (ms == 10) {
                s.put("outcome", "error");
            }
            samples.add(s);
        }
        // a minute that is not closed yet (within the allowed clock skew): raw samples only, never rolled here
        for (int i = 0; i < 5; i++) {
            samples.add(sample("runner-a", feature, 1000, Instant.now().plus(3, ChronoUnit.MINUTES)));
        }
        ingest(samples);
        roller.runOnce().await().indefinitely();

        var longWindow = as(CLIENT).when().get("/samples/summary?feature=" + feature + "&since="
                + Instant.now().minus(2, ChronoUnit.DAYS)).then().statusCode(200).extract().jsonPath();
        assertThat(longWindow.getString("basis")).isEqualTo("rollups");
        assertThat(longWindow.getList("features")).hasSize(1);
        assertThat(longWindow.getLong("features[0].count")).isEqualTo(10);
        assertThat(longWindow.getLong("features[0].errors")).isEqualTo(1);
        assertThat(longWindow.getDouble("features[0].maxMs")).isEqualTo(10.0);
        assertThat(longWindow.getDouble("features[0].p50Ms")).isEqualTo(5.5, offset(1e-9));

        var shortWindow = as(CLIENT).when().get("/samples/summary?feature=" + feature + "&since="
                + Instant.now().minus(1, ChronoUnit.HOURS)).then().statusCode(200).extract().jsonPath();
        assertThat(shortWindow.getString("basis")).isEqualTo("samples");
        assertThat(shortWindow.getLong("features[0].count")).isEqualTo(15);
        assertThat(shortWindow.getDouble("features[0].maxMs")).isEqualTo(1000.0);
    }

    @Test
    void aBadWindowOrLimitIsAProblem() {
        as(CLIENT).when().get("/rollups?since=yesterday").then().statusCode(422).contentType(PROBLEM)
                .body("field", equalTo("since"));
        as(CLIENT).when().get("/rollups?limit=100000").then().statusCode(400).contentType(PROBLEM)
                .body("parameter", equalTo("limit"));
    }
}
