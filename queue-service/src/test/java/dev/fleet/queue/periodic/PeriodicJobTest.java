package dev.fleet.queue.periodic;

import static dev.fleet.queue.QueueApi.ADMIN;
import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.freshQueue;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class PeriodicJobTest {

    private static final String PROBLEM = "application/problem+json";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Inject
    PeriodicJobEnqueuer enqueuer;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    /** Definitions this test created: deleted afterwards, so no later runOnce() keeps firing them. */
    private final List<String> created = new ArrayList<>();

    /**
     * Deletes the definitions and the jobs they enqueued. The test database outlives the run, and
     * jobs left available would pile up for the maintenance sweeps of later runs.
     */
    @AfterEach
    void deleteDefinitionsAndTheirJobs() {
        for (String name : created) {
            pool.preparedQuery("DELETE FROM queue.jobs WHERE unique_key LIKE $1").execute(Tuple.of("periodic:" + name + ":%"))
                    .await().indefinitely();
            pool.preparedQuery("DELETE FROM queue.periodic_jobs WHERE name = $1").execute(Tuple.of(name))
                    .await().indefinitely();
        }
    }

    // --- API ---------------------------------------------------------------------------------------

    @Test
    void createReadListReplaceAndDelete() {
        String name = freshName();
        String queue = freshQueue();

        JsonPath put = as(ADMIN).body(Map.of("queue", queue, "kind", "report", "cron", "*/5 * * * *"))
                .when().put("/periodic-jobs/" + name).then()
                .statusCode(200)
                .body("name", equalTo(name))
                .body("queue", equalTo(queue))
                .body("kind", equalTo("report"))
                .body("payload", equalTo(Map.of()))
                .body("priority", equalTo("P3"))
                .body("cron", equalTo("*/5 * * * *"))
                .body("timeZone", equalTo("UTC"))
                .body("missedPolicy", equalTo("skip"))
                .body("enabled", equalTo(true))
                .body("lastTickAt", nullValue())
                .body("nextTickAt", notNullValue())
                .extract().jsonPath();
        created.add(name);
        Instant createdAt = Instant.parse(put.getString("createdAt"));
        Instant next = Instant.parse(put.getString("nextTickAt"));
        assertThat(next).isAfter(createdAt).isBeforeOrEqualTo(createdAt.plus(Duration.ofMinutes(5)));
        assertThat(next.atZone(ZoneOffset.UTC).getMinute() % 5).isZero();
        assertThat(next.getEpochSecond() % 60).isZero();

        // Any role reads.
        as(CLIENT).when().get("/periodic-jobs/" + name).then()
                .statusCode(200)
                .body("name", equalTo(name))
                .body("nextTickAt", equalTo(put.getString("nextTickAt")));
        as(RUNNER).when().get("/periodic-jobs").then()
                .statusCode(200)
                .body("name", hasItem(name));

        // Replace: absent fields take their defaults again, the creation time stays.
        Map<String, Object> replacement = Map.of("queue", queue, "kind", "report-v2", "cron", "0 3 * * *",
                "payload", Map.of("depth", 2), "priority", "P1", "timeZone", "Europe/Berlin",
                "missedPolicy", "run-once", "enabled", false);
        as(ADMIN).body(replacement).when().put("/periodic-jobs/" + name).then()
                .statusCode(200)
                .body("kind", equalTo("report-v2"))
                .body("payload.depth", equalTo(2))
                .body("priority", equalTo("P1"))
                .body("timeZone", equalTo("Europe/Berlin"))
                .body("missedPolicy", equalTo("run-once"))
                .body("enabled", equalTo(false))
                .body("nextTickAt", nullValue())
                .body("createdAt", equalTo(put.getString("createdAt")));

        as(ADMIN).when().delete("/periodic-jobs/" + name).then().statusCode(204);
        as(CLIENT).when().get("/periodic-jobs/" + name).then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:periodic-job-not-found"))
                .body("detail", containsString(name));
        as(ADMIN).when().delete("/periodic-jobs/" + name).then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:periodic-job-not-found"));
        as(CLIENT).when().get("/periodic-jobs").then().statusCode(200).body("name", not(hasItem(name)));
    }

    @Test
    void onlyAdminsWriteAndEveryoneNeedsAToken() {
        String name = freshName();
        Map<String, Object> body = Map.of("queue", freshQueue(), "kind", "k", "cron", "0 * * * *");
        as(CLIENT).body(body).when().put("/periodic-jobs/" + name).then()
                .statusCode(403).contentType(PROBLEM).body("type", equalTo("urn:fleet:problem:forbidden"));
        as(RUNNER).when().delete("/periodic-jobs/" + name).then().statusCode(403).contentType(PROBLEM);
        given().when().get("/periodic-jobs").then().statusCode(401).contentType(PROBLEM);
        as(CLIENT).when().get("/periodic-jobs/" + name).then().statusCode(404);
    }

    @Test
    void badCronIsRefusedQuotingTheParser() {
        invalid(Map.of("cron", "61 * * * *"), 422, "cron")
                .body("type", equalTo("urn:fleet:problem:invalid-field"))
                .body("detail", containsString("Value 61 not in range [0, 59]"));
        invalid(Map.of("cron", "* * * * * *"), 422, "cron")
                .body("detail", containsString("contains 6 parts but we expect one of [5]"));
        invalid(Map.of("cron", "@daily"), 422, "cron");
        invalid(Map.of("cron", "0 0 30 2 *"), 422, "cron")
                .body("detail", containsString("never fires"));
    }

    @Test
    void badTimeZoneIsRefused() {
        invalid(Map.of("timeZone", "Mars/Olympus_Mons"), 422, "timeZone")
                .body("type", equalTo("urn:fleet:problem:invalid-field"))
                .body("detail", containsString("IANA"));
        invalid(Map.of("timeZone", "+02:00"), 422, "timeZone");
    }

    @Test
    void badNameOrQueueIsRefused() {
        String queue = freshQueue();
        as(ADMIN).body(Map.of("queue", queue, "kind", "k", "cron", "0 * * * *"))
                .when().put("/periodic-jobs/-starts-with-dash").then()
                .statusCode(422).contentType(PROBLEM)
                .body("field", equalTo("name"))
                .body("detail", containsString("1-63"));
        as(ADMIN).body(Map.of("queue", queue, "kind", "k", "cron", "0 * * * *"))
                .when().put("/periodic-jobs/" + "n".repeat(64)).then()
                .statusCode(422).contentType(PROBLEM).body("field", equalTo("name"));
        invalid(Map.of("queue", "no spaces allowed"), 422, "queue");
    }

    @Test
    void unknownPriorityOrPolicyIsRefusedNamingTheField() {
        invalid(Map.of("priority", "P9"), 400, "priority")
                .body("type", equalTo("urn:fleet:problem:malformed-json"))
                .body("detail", containsString("P9"));
        invalid(Map.of("missedPolicy", "catch-up"), 400, "missedPolicy")
                .body("type", equalTo("urn:fleet:problem:malformed-json"));
    }

    @Test
    void missingRequiredFieldsAreListed() {
        as(ADMIN).body(Map.of()).when().put("/periodic-jobs/" + freshName()).then()
                .statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:validation"))
                .body("errors.field", hasItems("queue", "kind", "cron"));
    }

    // --- Time zones --------------------------------------------------------------------------------

    @Test
    void nextTickIsReadInTheDefinitionsTimeZone() {
        String name = freshName();
        JsonPath put = put(name, Map.of("queue", freshQueue(), "kind", "k", "cron", "0 9 * * *",
                "timeZone", "Europe/Berlin"));
        Instant createdAt = Instant.parse(put.getString("createdAt"));
        Instant next = Instant.parse(put.getString("nextTickAt"));

        assertThat(next).isEqualTo(nextNineInBerlinAfter(createdAt));
        int offsetHours = BERLIN.getRules().getOffset(next).getTotalSeconds() / 3600;
        assertThat(next.atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(LocalTime.of(9 - offsetHours, 0))
                .isIn(LocalTime.of(7, 0), LocalTime.of(8, 0));
    }

    @Test
    void nextTickFollowsDaylightSavingTime() {
        String name = freshName();
        put(name, Map.of("queue", freshQueue(), "kind", "k", "cron", "0 9 * * *", "timeZone", "Europe/Berlin"));

        // The Saturday before each 2025 switch: the Sunday 09:00 is in the other offset.
        for (Instant from : List.of(Instant.parse("2025-03-29T08:00:00Z"), Instant.parse("2025-10-25T07:00:00Z"))) {
            moveSchedule(name, from);
            Instant next = Instant.parse(as(CLIENT).when().get("/periodic-jobs/" + name).then().statusCode(200)
                    .extract().jsonPath().getString("nextTickAt"));
            assertThat(next).isEqualTo(nextNineInBerlinAfter(from));
        }
        assertThat(nextNineInBerlinAfter(Instant.parse("2025-03-29T08:00:00Z"))).isEqualTo("2025-03-30T07:00:00Z");
        assertThat(nextNineInBerlinAfter(Instant.parse("2025-10-25T07:00:00Z"))).isEqualTo("2025-10-26T08:00:00Z");
    }

    // --- Enqueueing ---------------------------------------------------------------------------------

    @Test
    void dueTickEnqueuesExactlyOneJobEvenWithConcurrentReplicas() {
        String name = freshName();
        String queue = freshQueue();
        put(name, Map.of("queue", queue, "kind", "sync", "cron", "* * * * *", "priority", "P1",
                "payload", Map.of("full", true)));

        // The previous tick was two minutes ago: this minute's tick (and the one before) are due.
        Instant previous = dbNow().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2));
        moveSchedule(name, previous);

        List<Integer> enqueued = Uni.combine().all()
                .unis(enqueuer.runOnce(), enqueuer.runOnce(), enqueuer.runOnce(), enqueuer.runOnce())
                .with(counts -> counts.stream().map(Integer.class::cast).toList())
                .await().atMost(Duration.ofSeconds(30));
        assertThat(enqueued.stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(1);

        List<Map<String, Object>> jobs = jobsIn(queue);
        assertThat(jobs).hasSize(1);
        // The compare-and-set alone decided: no replica got as far as the unique-key guard.
        assertThat(ticks(name, "enqueued")).isEqualTo(1.0);
        assertThat(ticks(name, "duplicate")).isZero();
        Instant lastTick = Instant.parse(definition(name).getString("lastTickAt"));
        assertThat(lastTick).isAfter(previous).isEqualTo(lastTick.truncatedTo(ChronoUnit.MINUTES));
        Map<String, Object> job = jobs.get(0);
        assertThat(job.get("uniqueKey")).isEqualTo("periodic:" + name + ":" + lastTick.getEpochSecond());
        assertThat(job.get("kind")).isEqualTo("sync");
        assertThat(job.get("priority")).isEqualTo("P1");
        assertThat(job.get("state")).isEqualTo("available");
        assertThat(job.get("payload")).isEqualTo(Map.of("full", true));

        // Once handled, the tick is not due again.
        enqueuer.runOnce().await().indefinitely();
        assertThat(jobsIn(queue)).hasSize(1);
        assertThat(Instant.parse(definition(name).getString("nextTickAt"))).isEqualTo(lastTick.plus(Duration.ofMinutes(1)));
    }

    @Test
    void skipDropsAMissedTickAndResumesWithTheNextOne() {
        String name = freshName();
        String queue = freshQueue();
        Instant missed = dbNow().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
        put(name, Map.of("queue", queue, "kind", "k", "cron", dailyAt(missed), "missedPolicy", "skip"));
        // Down for three days: three daily ticks passed, the latest two hours ago.
        moveSchedule(name, missed.minus(Duration.ofDays(3)));

        enqueuer.runOnce().await().indefinitely();

        assertThat(jobsIn(queue)).isEmpty();
        JsonPath after = definition(name);
        assertThat(Instant.parse(after.getString("lastTickAt"))).isEqualTo(missed);
        assertThat(Instant.parse(after.getString("nextTickAt"))).isEqualTo(missed.plus(Duration.ofDays(1)));
        enqueuer.runOnce().await().indefinitely();
        assertThat(jobsIn(queue)).isEmpty();
    }

    @Test
    void skipStillEnqueuesTheCurrentTickAfterMissingOlderOnes() {
        String name = freshName();
        String queue = freshQueue();
        put(name, Map.of("queue", queue, "kind", "k", "cron", "* * * * *", "missedPolicy", "skip"));
        // Ten minutes down: ten ticks passed, the latest is this minute's and still on time.
        moveSchedule(name, dbNow().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10)));

        assertThat(enqueuer.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(1);

        List<Map<String, Object>> jobs = jobsIn(queue);
        assertThat(jobs).hasSize(1);
        Instant lastTick = Instant.parse(definition(name).getString("lastTickAt"));
        assertThat(jobs.get(0).get("uniqueKey")).isEqualTo("periodic:" + name + ":" + lastTick.getEpochSecond());
    }

    @Test
    void runOnceEnqueuesOneJobForTheLatestMissedTick() {
        String name = freshName();
        String queue = freshQueue();
        Instant missed = dbNow().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
        put(name, Map.of("queue", queue, "kind", "k", "cron", dailyAt(missed), "missedPolicy", "run-once"));
        moveSchedule(name, missed.minus(Duration.ofDays(3)));

        assertThat(enqueuer.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(1);
        enqueuer.runOnce().await().indefinitely();

        List<Map<String, Object>> jobs = jobsIn(queue);
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).get("uniqueKey")).isEqualTo("periodic:" + name + ":" + missed.getEpochSecond());
        JsonPath after = definition(name);
        assertThat(Instant.parse(after.getString("lastTickAt"))).isEqualTo(missed);
        assertThat(Instant.parse(after.getString("nextTickAt"))).isEqualTo(missed.plus(Duration.ofDays(1)));
    }

    @Test
    void disabledDefinitionEnqueuesNothingAndReEnablingDoesNotCatchUp() {
        String name = freshName();
        String queue = freshQueue();
        Instant missed = dbNow().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
        Map<String, Object> body = new HashMap<>(Map.of("queue", queue, "kind", "k", "cron", dailyAt(missed),
                "missedPolicy", "run-once", "enabled", false));
        put(name, body);
        moveSchedule(name, missed.minus(Duration.ofDays(3)));

        enqueuer.runOnce().await().indefinitely();
        assertThat(jobsIn(queue)).isEmpty();

        // The ticks that passed while it was disabled are not "missed": the schedule restarts now.
        body.put("enabled", true);
        JsonPath enabled = put(name, body);
        enqueuer.runOnce().await().indefinitely();
        assertThat(jobsIn(queue)).isEmpty();
        assertThat(Instant.parse(enabled.getString("nextTickAt"))).isEqualTo(missed.plus(Duration.ofDays(1)));
    }

    // --- helpers ------------------------------------------------------------------------------------

    private double ticks(String name, String outcome) {
        Counter counter = registry.find("fleet.queue.periodic.ticks").tag("periodic_job", name).tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static String freshName() {
        return "pj-" + UUID.randomUUID().toString().substring(0, 13);
    }

    private JsonPath put(String name, Map<String, Object> body) {
        JsonPath result = as(ADMIN).body(body).when().put("/periodic-jobs/" + name).then().statusCode(200)
                .extract().jsonPath();
        created.add(name);
        return result;
    }

    private static JsonPath definition(String name) {
        return as(CLIENT).when().get("/periodic-jobs/" + name).then().statusCode(200).extract().jsonPath();
    }

    /** PUT with one field replaced in an otherwise valid body; asserts the problem names that field. */
    private static ValidatableResponse invalid(Map<String, Object> override, int status,
            String field) {
        Map<String, Object> body = new HashMap<>(Map.of("queue", freshQueue(), "kind", "k", "cron", "0 * * * *"));
        body.putAll(override);
        return as(ADMIN).body(body).when().put("/periodic-jobs/" + freshName()).then()
                .statusCode(status)
                .contentType(PROBLEM)
                .body("status", equalTo(status))
                .body("field", equalTo(field));
    }

    private static List<Map<String, Object>> jobsIn(String queue) {
        return as(CLIENT).queryParam("queue", queue).when().get("/jobs").then().statusCode(200)
                .extract().jsonPath().getList("jobs");
    }

    /** "m h * * *" in UTC: a daily tick at the time of day of {@code tick}. */
    private static String dailyAt(Instant tick) {
        ZonedDateTime utc = tick.atZone(ZoneOffset.UTC);
        return utc.getMinute() + " " + utc.getHour() + " * * *";
    }

    /**
     * Puts a schedule's position in the past, as the passing of time (or downtime) would: the last
     * handled tick, and the point ticks count from. The logic under test reads PostgreSQL's clock.
     */
    private void moveSchedule(String name, Instant lastTick) {
        OffsetDateTime at = lastTick.atOffset(ZoneOffset.UTC);
        pool.preparedQuery("UPDATE queue.periodic_jobs SET last_tick_at = $2, ticks_after = $2 WHERE name = $1")
                .execute(Tuple.of(name, at)).await().indefinitely();
    }

    private Instant dbNow() {
        return pool.query("SELECT now() AS now").execute().await().indefinitely()
                .iterator().next().getOffsetDateTime("now").toInstant();
    }

    /** java.time's own answer: the first 09:00 Berlin wall-clock time strictly after {@code from}. */
    private static Instant nextNineInBerlinAfter(Instant from) {
        ZonedDateTime candidate = from.atZone(BERLIN).toLocalDate().atTime(9, 0).atZone(BERLIN);
        while (!candidate.toInstant().isAfter(from)) {
            candidate = candidate.toLocalDate().plusDays(1).atTime(9, 0).atZone(BERLIN);
        }
        return candidate.toInstant();
    }
}
