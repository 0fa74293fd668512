package dev.fleet.session.event;

import static dev.fleet.session.event.EventTestData.ADMIN;
import static dev.fleet.session.event.EventTestData.CLIENT;
import static dev.fleet.session.event.EventTestData.PROBLEM;
import static dev.fleet.session.event.EventTestData.RUNNER;
import static dev.fleet.session.event.EventTestData.append;
import static dev.fleet.session.event.EventTestData.appendNumbered;
import static dev.fleet.session.event.EventTestData.appendRaw;
import static dev.fleet.session.event.EventTestData.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.platform.time.Timestamps;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class EventLogTest {

    @Inject
    EventTestData data;

    @Inject
    Clock clock;

    @Nested
    class Append {

        @Test
        void batchesGetConsecutiveSeqsAndReadBackInOrder() {
            UUID session = data.runningSession();

            assertThat(append(session, "a", "b", "c")).isEqualTo(new AppendedEvents(1, 3));
            assertThat(append(session, "d", "e")).isEqualTo(new AppendedEvents(4, 5));

            as(CLIENT).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200)
                    .body("events.seq", contains(1, 2, 3, 4, 5))
                    .body("events.type", contains("a", "b", "c", "d", "e"))
                    .body("events.source", contains("system", "system", "system", "system", "system"))
                    .body("events.data.i", contains(0, 1, 2, 0, 1))
                    .body("$", not(hasKey("next")));
            assertThat(data.sessionRow(session).getLong("event_seq")).isEqualTo(5);
        }

        @Test
        void aRunnerAppendsOnlyToTheSessionsItHolds() {
            String pool = dev.fleet.session.SessionApi.freshPool();
            dev.fleet.session.SessionApi.TestRunner holder = dev.fleet.session.SessionApi.register(pool, 1);
            dev.fleet.session.SessionApi.TestRunner other = dev.fleet.session.SessionApi.register(
                    dev.fleet.session.SessionApi.freshPool(), 1);
            String session = dev.fleet.session.SessionApi.runningSession(pool, holder);
            Map<String, Object> batch = Map.of("events", List.of(Map.of("type", "log")));
            holder.self().body(batch).when().post("/sessions/" + session + "/events").then().statusCode(201);
            other.self().body(batch).when().post("/sessions/" + session + "/events").then().statusCode(403)
                    .body("type", equalTo("urn:fleet:problem:runner-token"));
            as(RUNNER).contentType(ContentType.JSON).body(batch).when().post("/sessions/" + session + "/events")
                    .then().statusCode(403);
            holder.self().body(batch).when().post("/sessions/" + UUID.randomUUID() + "/events").then().statusCode(404);
        }

        @Test
        void answers201WithTheSeqsForClientsAndAdmins() {
            UUID session = data.runningSession();
            int seq = 0;
            for (String token : List.of(CLIENT, ADMIN)) {
                seq++;
                as(token).contentType(ContentType.JSON).body(Map.of("events", List.of(Map.of("type", "t"))))
                        .when().post("/sessions/" + session + "/events").then()
                        .statusCode(201)
                        .body("firstSeq", equalTo(seq))
                        .body("lastSeq", equalTo(seq));
            }
        }

        @Test
        void dataIsAnyJsonValueAndComesBackAsJson() {
            UUID session = data.runningSession();
            as(CLIENT).contentType(ContentType.JSON).body("""
                    {"events": [
                      {"type": "obj", "source": "human", "data": {"x": 1, "nested": {"list": [1, "two", null]}}},
                      {"type": "arr", "source": "agent", "data": [true, 2.5]},
                      {"type": "str", "data": "plain text"},
                      {"type": "num", "data": 42},
                      {"type": "nul", "data": null},
                      {"type": "none"}
                    ]}""").when().post("/sessions/" + session + "/events").then()
                    .statusCode(201)
                    .body("firstSeq", equalTo(1))
                    .body("lastSeq", equalTo(6));

            JsonPath page = as(CLIENT).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200).extract().jsonPath();
            assertThat(page.getMap("events[0].data")).isEqualTo(Map.of("x", 1, "nested", Map.of("list",
                    java.util.Arrays.asList(1, "two", null))));
            assertThat(page.getString("events[0].source")).isEqualTo("human");
            assertThat(page.getList("events[1].data")).containsExactly(true, 2.5f);
            assertThat(page.getString("events[1].source")).isEqualTo("agent");
            assertThat(page.getString("events[2].data")).isEqualTo("plain text");
            assertThat(page.getInt("events[3].data")).isEqualTo(42);
            assertThat(page.getMap("events[4]")).containsEntry("data", null);
            assertThat(page.getMap("events[5]")).containsEntry("data", null);
            Instant at = Instant.parse(page.getString("events[0].at"));
            assertThat(at).isBetween(clock.instant().minusSeconds(60), clock.instant()); // the service clock's time
        }

        @Test
        void emptyBatchIs422() {
            UUID session = data.runningSession();
            as(CLIENT).contentType(ContentType.JSON).body(Map.of("events", List.of()))
                    .when().post("/sessions/" + session + "/events").then()
                    .statusCode(422)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:invalid-field"))
                    .body("field", equalTo("events"));
        }

        @Test
        void batchOverTheLimitIs413NamingTheLimit() {
            UUID session = data.runningSession();
            List<Map<String, Object>> events = Collections.nCopies(1001, Map.of("type", "t"));
            as(CLIENT).contentType(ContentType.JSON).body(Map.of("events", events))
                    .when().post("/sessions/" + session + "/events").then()
                    .statusCode(413)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:too-large"))
                    .body("field", equalTo("events"))
                    .body("limit", equalTo(1000))
                    .body("detail", containsString("max-append-batch"));
            assertThat(data.sessionRow(session).getLong("event_seq")).isZero();
        }

        @Test
        void batchAtTheLimitIsAccepted() {
            UUID session = data.runningSession();
            assertThat(appendNumbered(session, "t", 0, 1000)).isEqualTo(new AppendedEvents(1, 1000));
        }

        @Test
        void dataOverTheLimitIs413NamingTheEvent() {
            UUID session = data.runningSession();
            String big = "x".repeat(65536); // plus two quotes: 65538 bytes of JSON
            as(CLIENT).contentType(ContentType.JSON)
                    .body(Map.of("events", List.of(Map.of("type", "ok", "data", "small"), Map.of("type", "big", "data", big))))
                    .when().post("/sessions/" + session + "/events").then()
                    .statusCode(413)
                    .contentType(PROBLEM)
                    .body("field", equalTo("events[1].data"))
                    .body("limit", equalTo(65536));
            assertThat(data.sessionRow(session).getLong("event_seq")).isZero();
        }

        @Test
        void unknownSourceIs400NamingTheField() {
            UUID session = data.runningSession();
            as(CLIENT).contentType(ContentType.JSON)
                    .body(Map.of("events", List.of(Map.of("type", "t", "source", "robot"))))
                    .when().post("/sessions/" + session + "/events").then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:malformed-json"))
                    .body("field", equalTo("events[0].source"));
        }

        @Test
        void typeIsRequiredShortAndSingleLine() {
            UUID session = data.runningSession();
            for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("source", "human"), Map.of("type", ""),
                    Map.of("type", "x".repeat(101)), Map.of("type", "two\nlines"))) {
                as(CLIENT).contentType(ContentType.JSON).body(Map.of("events", List.of(bad)))
                        .when().post("/sessions/" + session + "/events").then()
                        .statusCode(400)
                        .contentType(PROBLEM)
                        .body("type", equalTo("urn:fleet:problem:validation"))
                        .body("errors.field", hasItem(containsString("type")));
            }
            assertThat(data.sessionRow(session).getLong("event_seq")).isZero();
        }

        @Test
        void dataWithANulCharacterIs422() {
            UUID session = data.runningSession();
            as(CLIENT).contentType(ContentType.JSON).body("{\"events\": [{\"type\": \"t\", \"data\": \"a\\u0000b\"}]}")
                    .when().post("/sessions/" + session + "/events").then()
                    .statusCode(422)
                    .contentType(PROBLEM)
                    .body("field", equalTo("events"))
                    .body("detail", containsString("u0000"));
        }

        @Test
        void unknownSessionIs404() {
            UUID nobody = UUID.randomUUID();
            as(CLIENT).contentType(ContentType.JSON).body(Map.of("events", List.of(Map.of("type", "t"))))
                    .when().post("/sessions/" + nobody + "/events").then()
                    .statusCode(404)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:session-not-found"))
                    .body("detail", containsString(nobody.toString()));
        }

        @Test
        void concurrentAppendsGetUniqueGaplessSeqs() throws Exception {
            UUID session = data.runningSession();
            int threads = 8;
            int appendsPerThread = 20;
            int batch = 3;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<CompletableFuture<List<AppendedEvents>>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(CompletableFuture.supplyAsync(() -> {
                    List<AppendedEvents> got = new ArrayList<>();
                    for (int a = 0; a < appendsPerThread; a++) {
                        got.add(appendNumbered(session, "t" + thread, a * batch, batch));
                    }
                    return got;
                }, pool));
            }
            List<AppendedEvents> all = new ArrayList<>();
            for (CompletableFuture<List<AppendedEvents>> w : work) {
                all.addAll(w.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();

            long total = (long) threads * appendsPerThread * batch;
            all.sort((x, y) -> Long.compare(x.firstSeq(), y.firstSeq()));
            long expected = 1;
            for (AppendedEvents a : all) {
                assertThat(a.firstSeq()).isEqualTo(expected);
                assertThat(a.lastSeq()).isEqualTo(expected + batch - 1);
                expected = a.lastSeq() + 1;
            }
            assertThat(expected - 1).isEqualTo(total);

            List<Long> stored = new ArrayList<>();
            Map<String, List<Integer>> perThread = new HashMap<>();
            for (Row row : data.rows("SELECT seq, type, (data->>'n')::int AS n FROM session.session_events"
                    + " WHERE session_id = $1 ORDER BY seq", Tuple.of(session))) {
                stored.add(row.getLong("seq"));
                perThread.computeIfAbsent(row.getString("type"), k -> new ArrayList<>()).add(row.getInteger("n"));
            }
            assertThat(stored).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            // Each thread's events keep the order it appended them in.
            perThread.values().forEach(ns -> assertThat(ns).isSorted().hasSize(appendsPerThread * batch));
        }
    }

    @Nested
    class Activity {

        @Test
        void humanEventsMoveOnlyHumanActivity() {
            UUID session = data.runningSession();
            Instant before = Instant.now().minusSeconds(1);
            appendRaw(session, List.of(Map.of("type", "click", "source", "human")));

            Row row = data.sessionRow(session);
            assertThat(Timestamps.column(row, "last_human_activity_at")).isAfter(before);
            assertThat(Timestamps.column(row, "last_agent_activity_at")).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        }

        @Test
        void agentEventsMoveOnlyAgentActivity() {
            UUID session = data.runningSession();
            Instant before = Instant.now().minusSeconds(1);
            appendRaw(session, List.of(Map.of("type", "tool", "source", "agent")));

            Row row = data.sessionRow(session);
            assertThat(Timestamps.column(row, "last_agent_activity_at")).isAfter(before);
            assertThat(Timestamps.column(row, "last_human_activity_at")).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        }

        @Test
        void aMixedBatchMovesBothAndSystemEventsMoveNeither() {
            UUID quiet = data.runningSession();
            append(quiet, "log", "log");
            Row untouched = data.sessionRow(quiet);
            assertThat(Timestamps.column(untouched, "last_human_activity_at")).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
            assertThat(Timestamps.column(untouched, "last_agent_activity_at")).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));

            UUID busy = data.runningSession();
            appendRaw(busy, List.of(Map.of("type", "click", "source", "human"), Map.of("type", "tool", "source", "agent")));
            Row both = data.sessionRow(busy);
            assertThat(Timestamps.column(both, "last_human_activity_at")).isAfter(Instant.parse("2000-01-01T00:00:00Z"));
            assertThat(Timestamps.column(both, "last_agent_activity_at"))
                    .isEqualTo(Timestamps.column(both, "last_human_activity_at"));
        }

        @Test
        void activityOfAnAutoPausedSessionStartsABurstAndAQuietGapStartsANewOne() {
            UUID session = data.session("paused", true);
            append(session, "log"); // system: not activity
            assertThat(data.sessionRow(session).getValue("activity_since")).isNull();

            appendRaw(session, List.of(Map.of("type", "click", "source", "human")));
            Instant burst = Timestamps.column(data.sessionRow(session), "activity_since");
            assertThat(burst).isNotNull();

            appendRaw(session, List.of(Map.of("type", "tool", "source", "agent")));
            assertThat(Timestamps.column(data.sessionRow(session), "activity_since")).isEqualTo(burst);

            // A minute of quiet (longer than resume-min-activity, 10s) ends that burst.
            data.sql("UPDATE session.sessions SET last_human_activity_at = last_human_activity_at - interval '1 minute',"
                    + " last_agent_activity_at = last_agent_activity_at - interval '1 minute',"
                    + " activity_since = activity_since - interval '1 minute' WHERE id = $1", Tuple.of(session));
            Instant shifted = Timestamps.column(data.sessionRow(session), "activity_since");
            appendRaw(session, List.of(Map.of("type", "click", "source", "human")));
            assertThat(Timestamps.column(data.sessionRow(session), "activity_since")).isAfter(shifted.plusSeconds(50));
        }

        @Test
        void activityOfARunningOrUserPausedSessionLeavesActivitySinceAlone() {
            UUID running = data.runningSession();
            UUID userPaused = data.session("paused", false);
            for (UUID session : List.of(running, userPaused)) {
                appendRaw(session, List.of(Map.of("type", "click", "source", "human")));
                assertThat(data.sessionRow(session).getValue("activity_since")).isNull();
            }
        }
    }

    @Nested
    class Read {

        @Test
        void theNewestNComeFirstWithACursorToOlderOnes() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 250);

            as(CLIENT).queryParam("limit", 10).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200)
                    .body("events.seq", contains(241, 242, 243, 244, 245, 246, 247, 248, 249, 250))
                    .body("events.data.n", contains(241, 242, 243, 244, 245, 246, 247, 248, 249, 250))
                    .body("next.beforeSeq", equalTo(241));
        }

        @Test
        void pagingBackWithTheCursorVisitsEveryEventOnce() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 250);

            List<Integer> seen = new ArrayList<>();
            Integer before = null;
            int pages = 0;
            do {
                var request = as(CLIENT).queryParam("limit", 100);
                if (before != null) {
                    request.queryParam("beforeSeq", before);
                }
                JsonPath page = request.when().get("/sessions/" + session + "/events").then()
                        .statusCode(200).extract().jsonPath();
                List<Integer> seqs = page.getList("events.seq", Integer.class);
                assertThat(seqs).isSorted();
                seen.addAll(0, seqs);
                before = page.get("next.beforeSeq");
                pages++;
            } while (before != null);

            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 250).boxed().toList());
        }

        @Test
        void aReadTouchesOnlyTheRowsItAnswersHoweverLongTheLogAndWhateverThePlan() {
            UUID session = data.runningSession();
            for (int i = 0; i < 3; i++) {
                appendNumbered(session, "t", i * 1000, 1000);
            }
            data.sql("ANALYZE session.session_events", Tuple.tuple());
            String id = "'" + session + "'";
            for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                assertThat(data.mostRowsOfAnyPlanNode(EventQueries.PAGE, mode, id, Long.toString(Long.MAX_VALUE), "10"))
                        .as("newest page, %s", mode).isEqualTo(10);
                assertThat(data.mostRowsOfAnyPlanNode(EventQueries.PAGE, mode, id, "1500", "10"))
                        .as("older page, %s", mode).isEqualTo(10);
                assertThat(data.mostRowsOfAnyPlanNode(EventQueries.AFTER, mode, id, "0", "10"))
                        .as("follower read, %s", mode).isEqualTo(10);
            }
        }

        @Test
        void defaultLimitIs100() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 150);
            as(CLIENT).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200)
                    .body("events.size()", equalTo(100))
                    .body("events[0].seq", equalTo(51))
                    .body("next.beforeSeq", equalTo(51));
        }

        @Test
        void anEmptyLogIsAnEmptyPage() {
            UUID session = data.runningSession();
            as(CLIENT).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200)
                    .body("events.size()", equalTo(0))
                    .body("next", nullValue());
        }

        @Test
        void limitOverTheMaximumIs400NamingTheLimit() {
            UUID session = data.runningSession();
            as(CLIENT).queryParam("limit", 2001).when().get("/sessions/" + session + "/events").then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:limit-exceeded"))
                    .body("parameter", equalTo("limit"))
                    .body("limit", equalTo(2000));
            as(CLIENT).queryParam("limit", 2000).when().get("/sessions/" + session + "/events").then()
                    .statusCode(200);
        }

        @Test
        void limitBelowOneIs400() {
            UUID session = data.runningSession();
            as(CLIENT).queryParam("limit", 0).when().get("/sessions/" + session + "/events").then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:validation"))
                    .body("errors.field", hasItem("limit"));
        }

        @Test
        void unknownSessionIs404() {
            as(CLIENT).when().get("/sessions/" + UUID.randomUUID() + "/events").then()
                    .statusCode(404)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:session-not-found"));
        }
    }
}
