package dev.fleet.session.event;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sessions made directly in SQL (a real one needs a registered runner and placement, which the
 * event log does not care about), and the HTTP calls the event tests share.
 */
@Singleton
public class EventTestData {

    static final String ADMIN = "test-admin-token";
    static final String RUNNER = "test-runner-token";
    static final String CLIENT = "test-client-token";
    static final String PROBLEM = "application/problem+json";

    private static final String INSERT = """
            INSERT INTO session.sessions (id, pool, owner, kind, state, created_at, updated_at, auto_pause,
                idle_human_ms, idle_agent_ms, last_human_activity_at, last_agent_activity_at, auto_paused, paused_at)
            VALUES ($1, 'event-tests', 'event-tests', 'human', $2, $3, $3, true, 180000, 180000, $4, $4, $5,
                    CASE WHEN $2 = 'paused' THEN $3 END)""";

    private final Pool pool;

    EventTestData(Pool pool) {
        this.pool = pool;
    }

    /** A running session whose activity columns read 2000-01-01. */
    UUID runningSession() {
        return session("running", false);
    }

    /** A session in {@code state}; {@code autoPaused} matters for {@code paused}. */
    UUID session(String state, boolean autoPaused) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        sql(INSERT, Tuple.from(new Object[] { id, state, Timestamps.param(now),
                Timestamps.param(Instant.parse("2000-01-01T00:00:00Z")), autoPaused }));
        return id;
    }

    /** The session's row as it is now. */
    Row sessionRow(UUID id) {
        return pool.preparedQuery("SELECT * FROM session.sessions WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely().iterator().next();
    }

    /** Ends the session the way the lifecycle does: the row moves, then {@code fleet_session} hears of it. */
    void endSession(UUID id, String state) {
        sql("UPDATE session.sessions SET state = $2, ended_at = now() WHERE id = $1", Tuple.of(id, state));
        notifySession(new JsonObject().put("event", "state").put("session", id.toString()).put("pool", "event-tests")
                .put("state", state).put("previous", "running"));
    }

    void notifySession(JsonObject payload) {
        sql("SELECT pg_notify('fleet_session', $1)", Tuple.of(payload.encode()));
    }

    void sql(String statement, Tuple args) {
        pool.preparedQuery(statement).execute(args).await().indefinitely();
    }

    /**
     * Runs {@code query} as a prepared statement under {@code plan_cache_mode = planMode} with the
     * given SQL literals as arguments and answers the largest row count any node of its plan
     * actually produced ({@code EXPLAIN ANALYZE}).
     */
    long mostRowsOfAnyPlanNode(String query, String planMode, String... literals) {
        String name = "explained_" + UUID.randomUUID().toString().replace("-", "");
        Object plan = pool.withConnection(conn -> conn.query("PREPARE " + name + " AS " + query).execute()
                .chain(() -> conn.query("SET plan_cache_mode = " + planMode).execute())
                .chain(() -> conn.query("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE " + name + "(" + String.join(", ", literals) + ")")
                        .execute())
                .map(rows -> rows.iterator().next().getValue(0))
                .call(() -> conn.query("RESET plan_cache_mode; DEALLOCATE " + name).execute()))
                .await().indefinitely();
        JsonArray explained = plan instanceof JsonArray array ? array : new JsonArray(plan.toString());
        return mostRows(explained.getJsonObject(0).getJsonObject("Plan"));
    }

    private static long mostRows(JsonObject node) {
        long most = node.getLong("Actual Rows", 0L);
        JsonArray children = node.getJsonArray("Plans");
        if (children != null) {
            for (int i = 0; i < children.size(); i++) {
                most = Math.max(most, mostRows(children.getJsonObject(i)));
            }
        }
        return most;
    }

    Iterable<Row> rows(String query, Tuple args) {
        return pool.preparedQuery(query).execute(args).await().indefinitely();
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** Appends events of the given types (source system, data {"i": n}) and answers the seqs. */
    static AppendedEvents append(UUID session, String... types) {
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            events.add(Map.of("type", types[i], "data", Map.of("i", i)));
        }
        return appendRaw(session, events);
    }

    /** Appends {@code count} events of type {@code type}, numbered in {@code data.n} from {@code first}. */
    static AppendedEvents appendNumbered(UUID session, String type, int first, int count) {
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        for (int n = first; n < first + count; n++) {
            events.add(Map.of("type", type, "source", "agent", "data", Map.of("n", n)));
        }
        return appendRaw(session, events);
    }

    static AppendedEvents appendRaw(UUID session, List<Map<String, Object>> events) {
        return as(CLIENT).contentType(ContentType.JSON).body(Map.of("events", events))
                .when().post("/sessions/" + session + "/events")
                .then().statusCode(201).extract().as(AppendedEvents.class);
    }
}
