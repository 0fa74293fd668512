package dev.fleet.scaler.event;

import static dev.fleet.scaler.ScalerApi.ADMIN;
import static dev.fleet.scaler.ScalerApi.CLIENT;
import static dev.fleet.scaler.ScalerApi.as;
import static dev.fleet.scaler.ScalerApi.freshPool;
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

import dev.fleet.platform.time.Timestamps;
import dev.fleet.scaler.FleetServicesResource;
import dev.fleet.scaler.engine.Retention;
import dev.fleet.scaler.input.SampleStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** The decision log, forecasts from stored samples, retention, and pools from configuration. */
@QuarkusTest
@WithTestResource(FleetServicesResource.class)
class EventApiTest {

    private static final Duration AWAIT = Duration.ofSeconds(10);

    @Inject
    Pool db;
    @Inject
    SampleStore samples;
    @Inject
    Retention retention;

    @Test
    void eventsAreListedPerPoolNewestFirstAndForAllPoolsSinceATime() {
        String pool = freshPool();
        as(ADMIN).body(Map.of("minInstances", 0, "maxInstances", 5, "backend", Map.of("kind", "recording")))
                .when().put("/pools/" + pool).then().statusCode(201);
        Instant before = Instant.now().minusSeconds(1);
        for (int to : new int[] {1, 2, 3}) {
            as(ADMIN).body(Map.of("instances", to)).when().post("/pools/" + pool + "/scale").then().statusCode(202);
        }
        JsonPath newest = as(CLIENT).queryParam("limit", 2).when().get("/pools/" + pool + "/events").then()
                .statusCode(200).extract().jsonPath();
        assertThat(newest.getList("events.to", Integer.class)).containsExactly(3, 2);
        long next = newest.getLong("next.beforeId");
        assertThat(as(CLIENT).queryParam("beforeId", next).when().get("/pools/" + pool + "/events").then()
                .extract().jsonPath().getList("events.to", Integer.class)).containsExactly(1);

        List<Integer> all = as(CLIENT).queryParam("since", before.toString()).queryParam("limit", 1000).when()
                .get("/events").then().statusCode(200).extract().jsonPath()
                .getList("events.findAll { it.pool == '" + pool + "' }.to", Integer.class);
        assertThat(all).containsExactly(1, 2, 3);
    }

    @Test
    void badQueriesAreProblems() {
        as(CLIENT).queryParam("since", "yesterday").when().get("/events").then().statusCode(422)
                .body("field", equalTo("since"));
        as(CLIENT).queryParam("limit", 5000).when().get("/events").then().statusCode(400)
                .body("type", equalTo("urn:fleet:problem:limit-exceeded")).body("limit", equalTo(1000));
        as(CLIENT).queryParam("limit", 0).when().get("/pools/x/events").then().statusCode(422);
    }

    @Test
    void theForecastShowsWhatItLearnedFromStoredSamples() {
        String pool = freshPool();
        as(ADMIN).body(Map.of("maxInstances", 10, "backend", Map.of("kind", "recording"), "policy", Map.of(
                "queueTarget", Map.of("jobsPerInstance", 4), "predictive", Map.of("leadTime", "15m"))))
                .when().put("/pools/" + pool).then().statusCode(201);
        // Two weeks of hourly demand: 40 at 12:00 UTC, 4 otherwise.
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(14));
        List<SampleStore.Row> rows = new ArrayList<>();
        for (Instant at = start; at.isBefore(Instant.now()); at = at.plus(Duration.ofHours(1))) {
            rows.add(new SampleStore.Row(pool, "demand", at, at.atZone(java.time.ZoneOffset.UTC).getHour() == 12 ? 40 : 4));
        }
        samples.add(rows).await().atMost(AWAIT);

        JsonPath forecast = as(CLIENT).when().get("/pools/" + pool + "/forecast").then().statusCode(200).extract()
                .jsonPath();
        assertThat(forecast.getString("metric")).isEqualTo("demand");
        assertThat(forecast.getString("leadTime")).isEqualTo("PT15M");
        List<Map<String, Object>> noon = forecast.getList("slots.findAll { it.start.endsWith('T12H') }");
        assertThat(noon).isNotEmpty().allSatisfy(slot -> assertThat(((Number) slot.get("average")).doubleValue())
                .isEqualTo(40.0));
        assertThat(forecast.getInt("slots.size()")).isEqualTo(168);

        String plain = freshPool();
        as(ADMIN).body(Map.of("maxInstances", 1, "backend", Map.of("kind", "recording"))).when()
                .put("/pools/" + plain).then().statusCode(201);
        as(CLIENT).when().get("/pools/" + plain + "/forecast").then().statusCode(409)
                .body("type", equalTo("urn:fleet:problem:no-forecast"));
    }

    @Test
    void retentionDeletesOnlyWhatIsPastIt() {
        String pool = freshPool();
        Instant old = Instant.now().minus(Duration.ofDays(60));
        db.preparedQuery("INSERT INTO scaler.samples (pool, metric, at, value) VALUES ($1, 'cpu', $2, 1),"
                + " ($1, 'cpu', now(), 2)").execute(Tuple.of(pool, Timestamps.param(old))).await().atMost(AWAIT);
        db.preparedQuery("INSERT INTO scaler.events (pool, at, from_instances, to_instances, kind, rule, recommended,"
                + " inputs, reason, outcome) VALUES ($1, $2, 0, 1, 'scale-out', 'manual', 1, '{}', 'old', 'ok'),"
                + " ($1, now(), 1, 2, 'scale-out', 'manual', 2, '{}', 'new', 'ok')")
                .execute(Tuple.of(pool, Timestamps.param(old))).await().atMost(AWAIT);

        while (retention.runOnce().await().atMost(AWAIT) > 0) {
            // other tests' old rows go too
        }
        assertThat(count("scaler.samples", pool)).isEqualTo(1);
        assertThat(count("scaler.events", pool)).isEqualTo(1);
    }

    @Test
    void aPoolFromConfigurationIsShownAndCannotBeChangedThroughTheApi() {
        as(CLIENT).when().get("/pools/configured-test").then().statusCode(200).body("source", equalTo("config"))
                .body("spec.maxInstances", equalTo(2)).body("spec.backend.kind", equalTo("process"));
        as(ADMIN).body(Map.of("maxInstances", 3, "backend", Map.of("kind", "recording"))).when()
                .put("/pools/configured-test").then().statusCode(409)
                .body("type", equalTo("urn:fleet:problem:pool-from-config"));
        as(ADMIN).when().delete("/pools/configured-test").then().statusCode(409);
    }

    private long count(String table, String pool) {
        return db.preparedQuery("SELECT count(*) AS n FROM " + table + " WHERE pool = $1").execute(Tuple.of(pool))
                .await().atMost(AWAIT).iterator().next().getLong("n");
    }
}
