package dev.fleet.telemetry.sample;

import static dev.fleet.telemetry.TelemetryApi.ADMIN;
import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.RUNNER;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static dev.fleet.telemetry.TelemetryApi.ingest;
import static dev.fleet.telemetry.TelemetryApi.list;
import static dev.fleet.telemetry.TelemetryApi.post;
import static dev.fleet.telemetry.TelemetryApi.sample;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** {@code POST /samples}: what is stored, what is refused and who may post. HTTP only, so {@code SampleIngestIT} re-runs it on the jar. */
@QuarkusTest
class SampleIngestTest {

    @Test
    void batchIsAcceptedAndReadsBackNewestFirst() {
        String source = fresh("runner");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, Object> slow = sample(source, "job.sleep", 1500.25, now.minusSeconds(3));
        slow.put("outcome", "error");
        slow.put("attributes", Map.of("queue", "render", "attempt", 2));
        List<Map<String, Object>> batch = List.of(slow,
                sample(source, "http.echo", 12, now.minusSeconds(1)),
                sample(source, "http.echo", 14, now.minusSeconds(2)));

        post(RUNNER, batch).statusCode(202).body("accepted", equalTo(3));

        List<Map<String, Object>> stored = list("source=" + source);
        assertThat(stored).extracting(s -> Instant.parse((String) s.get("at")))
                .containsExactly(now.minusSeconds(1), now.minusSeconds(2), now.minusSeconds(3));
        Map<String, Object> oldest = stored.get(2);
        assertThat(oldest).containsEntry("source", source).containsEntry("feature", "job.sleep")
                .containsEntry("outcome", "error")
                .containsEntry("attributes", Map.of("queue", "render", "attempt", 2))
                .containsKey("id");
        assertThat(((Number) oldest.get("durationMs")).doubleValue()).isEqualTo(1500.25);
        assertThat(stored).extracting(s -> s.get("feature")).containsExactly("http.echo", "http.echo", "job.sleep");
    }

    @Test
    void outcomeDefaultsToOkAtToNowAndAttributesToEmpty() {
        String source = fresh("runner");
        Instant before = Instant.now();

        ingest(List.of(sample(source, "job.sleep", 5)));

        Map<String, Object> stored = list("source=" + source).get(0);
        assertThat(stored).containsEntry("outcome", "ok").containsEntry("attributes", Map.of());
        assertThat(Instant.parse((String) stored.get("at")))
                .isBetween(before.minusSeconds(1), Instant.now().plusSeconds(1));
    }

    @Test
    void atWithAnOffsetIsStoredAsTheSameInstant() {
        String source = fresh("runner");
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.ofHours(2)).minusHours(1).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> sample = sample(source, "job.sleep", 5);
        sample.put("at", at.toString());

        ingest(List.of(sample));

        assertThat(Instant.parse((String) list("source=" + source).get(0).get("at"))).isEqualTo(at.toInstant());
    }

    @Test
    void atWithoutSecondsIsAcceptedAsISO8601AllowsIt() {
        String source = fresh("runner");
        Map<String, Object> sample = sample(source, "job.sleep", 5);
        sample.put("at", "2026-01-31T12:00+02:00");

        ingest(List.of(sample));

        assertThat(list("source=" + source).get(0).get("at")).isEqualTo("2026-01-31T10:00:00Z");
    }

    @Test
    void atSlightlyInTheFutureIsClockDriftAndAccepted() {
        String source = fresh("runner");

        ingest(List.of(sample(source, "job.sleep", 5, Instant.now().plus(Duration.ofMinutes(4)))));

        assertThat(list("source=" + source)).hasSize(1);
    }

    @Test
    void missingSourceRefusesTheBatch() {
        refused(s -> s.remove("source"), "samples[1].source");
    }

    @Test
    void blankSourceRefusesTheBatch() {
        refused(s -> s.put("source", "  "), "samples[1].source");
    }

    @Test
    void sourceOver128CharactersRefusesTheBatch() {
        refused(s -> s.put("source", "r".repeat(129)), "samples[1].source");
    }

    @Test
    void missingFeatureRefusesTheBatch() {
        refused(s -> s.remove("feature"), "samples[1].feature");
    }

    @Test
    void featureWithControlCharactersRefusesTheBatch() {
        refused(s -> s.put("feature", "job\nsleep"), "samples[1].feature");
    }

    @Test
    void missingDurationRefusesTheBatch() {
        refused(s -> s.remove("durationMs"), "samples[1].durationMs");
    }

    @Test
    void negativeDurationRefusesTheBatch() {
        refused(s -> s.put("durationMs", -0.5), "samples[1].durationMs");
    }

    @Test
    void unknownOutcomeRefusesTheBatch() {
        refused(s -> s.put("outcome", "timeout"), "samples[1].outcome");
    }

    @Test
    void atMoreThanFiveMinutesAheadRefusesTheBatch() {
        refused(s -> s.put("at", Instant.now().plus(Duration.ofMinutes(6)).toString()), "samples[1].at");
    }

    @Test
    void atThatIsNoInstantRefusesTheBatch() {
        refused(s -> s.put("at", "yesterday"), "samples[1].at");
    }

    @Test
    void atBefore1970RefusesTheBatch() {
        refused(s -> s.put("at", "0001-01-01T00:00:00Z"), "samples[1].at");
    }

    @Test
    void attributesThatAreNoObjectRefuseTheBatch() {
        refused(s -> s.put("attributes", List.of(1, 2)), "samples[1].attributes");
    }

    @Test
    void attributesOver4KiBRefuseTheBatchNamingTheLimit() {
        String source = fresh("runner");
        Map<String, Object> big = sample(source, "job.sleep", 1);
        big.put("attributes", Map.of("blob", "x".repeat(4096)));

        post(RUNNER, List.of(sample(source, "job.sleep", 1), big)).statusCode(422)
                .contentType(PROBLEM)
                .body("field", equalTo("samples[1].attributes"))
                .body("limit", equalTo(4096));

        assertThat(list("source=" + source)).isEmpty();
    }

    @Test
    void attributesWithNulCharacterRefuseTheBatch() {
        refused(s -> s.put("attributes", Map.of("note", "a\u0000b")), "samples[1].attributes");
    }

    @Test
    void emptyBatchIs422NamingSamples() {
        post(CLIENT, List.of()).statusCode(422)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:invalid-field"))
                .body("field", equalTo("samples"));
        as(CLIENT).body("{}").when().post("/samples").then().statusCode(422)
                .body("field", equalTo("samples"));
    }

    @Test
    void batchOverMaxBatchIs400LimitExceededAndStoresNothing() {
        String source = fresh("runner");
        List<Map<String, Object>> batch = IntStream.range(0, 1001)
                .mapToObj(i -> sample(source, "job.sleep", i)).toList();

        post(RUNNER, batch).statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:limit-exceeded"))
                .body("parameter", equalTo("samples"))
                .body("limit", equalTo(1000));

        assertThat(list("source=" + source)).isEmpty();
    }

    @Test
    void batchOfMaxBatchIsAccepted() {
        String source = fresh("runner");
        List<Map<String, Object>> batch = IntStream.range(0, 1000)
                .mapToObj(i -> sample(source, "job.sleep", i)).toList();

        post(RUNNER, batch).statusCode(202).body("accepted", equalTo(1000));

        assertThat(list("source=" + source + "&limit=1000")).hasSize(1000);
    }

    @Test
    void durationOfTheWrongJsonTypeIs400MalformedJsonNamingTheField() {
        Map<String, Object> sample = sample(fresh("runner"), "job.sleep", 1);
        sample.put("durationMs", "fast");

        post(RUNNER, List.of(sample)).statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:malformed-json"))
                .body("field", equalTo("samples[0].durationMs"));
    }

    @Test
    void postingWithoutTokenIs401() {
        given().contentType(ContentType.JSON).body(Map.of("samples", List.of(sample(fresh("runner"), "job.sleep", 1))))
                .when().post("/samples").then()
                .statusCode(401)
                .contentType(PROBLEM)
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().when().get("/samples").then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void clientsAndAdminsMayPostAndRunnersMayRead() {
        String source = fresh("service");

        post(CLIENT, List.of(sample(source, "http.echo", 1))).statusCode(202);
        post(ADMIN, List.of(sample(source, "http.echo", 2))).statusCode(202);

        as(RUNNER).when().get("/samples?source=" + source).then().statusCode(200)
                .body("samples.size()", equalTo(2));
    }

    /**
     * Posts a batch of a valid sample and one changed by {@code spoil}: 422 naming {@code field},
     * and the valid sample is not stored either.
     */
    private static void refused(Consumer<Map<String, Object>> spoil, String field) {
        String source = fresh("runner");
        Map<String, Object> bad = sample(source, "job.sleep", 10);
        spoil.accept(bad);

        post(RUNNER, List.of(sample(source, "job.sleep", 10), bad)).statusCode(422)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:invalid-field"))
                .body("status", equalTo(422))
                .body("field", equalTo(field))
                .body("detail", containsString(field));

        assertThat(list("source=" + source)).isEmpty();
    }
}
