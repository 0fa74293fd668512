package dev.fleet.telemetry.maintenance;

import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.list;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SamplePrunerTest {

    @Inject
    SamplePruner pruner;

    @Test
    void samplesOlderThanRetentionAreDeletedAndNewerOnesStay() {
        String source = fresh("runner");
        Instant now = Instant.now();
        ingest(List.of(
                sample(source, "job.sleep", 1, now.minus(Duration.ofDays(8))),
                sample(source, "job.sleep", 2, now.minus(Duration.ofDays(7)).minusSeconds(60)),
                sample(source, "job.sleep", 3, now.minus(Duration.ofDays(7)).plusSeconds(60)),
                sample(source, "job.sleep", 4, now)));

        long deleted = pruner.runOnce().await().indefinitely();

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        assertThat(list("source=" + source)).extracting(s -> ((Number) s.get("durationMs")).doubleValue())
                .containsExactly(4.0, 3.0);
        // Nothing left to delete of them: a second run keeps both.
        pruner.runOnce().await().indefinitely();
        assertThat(list("source=" + source)).hasSize(2);
    }
}
