package dev.fleet.session;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The session-service API as tests call it: real HTTP with the test profile's tokens. */
public final class SessionApi {

    public static final String ADMIN = "test-admin-token";
    public static final String RUNNER = "test-runner-token";
    public static final String CLIENT = "test-client-token";

    private SessionApi() {
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** A pool name no other test uses. */
    public static String freshPool() {
        return "p-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** A registered runner as its own code sees it. */
    public record TestRunner(String id, String token, String host) {

        public RequestSpecification self() {
            return as(RUNNER).header("X-Runner-Token", token);
        }

        public JsonPath heartbeat(Map<String, Object> figures) {
            return self().body(figures).when().post("/runners/" + id + "/heartbeat").then().statusCode(200)
                    .extract().jsonPath();
        }

        /** The operations waiting for this runner, oldest first. */
        public List<Map<String, Object>> openOperations() {
            List<Map<String, Object>> ops = as(RUNNER).queryParam("runner", id).queryParam("done", false)
                    .when().get("/operations").then().statusCode(200).extract().jsonPath().getList("operations");
            return ops.reversed();
        }

        public JsonPath complete(String operation) {
            return self().body(Map.of("result", Map.of("ok", true))).when().post("/operations/" + operation + "/complete")
                    .then().statusCode(200).extract().jsonPath();
        }
    }

    public static TestRunner register(String pool, int maxSessions, Map<String, String> labels, String host) {
        Map<String, Object> body = new HashMap<>(Map.of("pool", pool, "endpoint", "http://127.0.0.1:9" + (int) (Math.random() * 900 + 100),
                "maxSessions", maxSessions, "labels", labels, "version", "1.2.3"));
        if (host != null) {
            body.put("host", host);
        }
        JsonPath registered = as(RUNNER).body(body).when().post("/runners").then().statusCode(201).extract().jsonPath();
        return new TestRunner(registered.getString("runner.id"), registered.getString("token"),
                registered.getString("runner.host"));
    }

    /** A runner on a host of its own, so its resource numbering starts fresh. */
    public static TestRunner register(String pool, int maxSessions) {
        return register(pool, maxSessions, Map.of(), "host-" + UUID.randomUUID());
    }

    /** Creates a session and answers its start operation. */
    public static JsonPath createSession(String pool, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("pool", pool, "labels", Map.of(), "owner", "alice", "kind", "agent"));
        body.putAll(extra);
        return as(CLIENT).body(body).when().post("/sessions").then().statusCode(202).extract().jsonPath();
    }

    /** Creates a session and has its runner confirm the start: the session is running. */
    public static String runningSession(String pool, TestRunner runner) {
        JsonPath start = createSession(pool, Map.of());
        runner.complete(start.getString("id"));
        return start.getString("target");
    }

    public static JsonPath session(String id) {
        return as(CLIENT).when().get("/sessions/" + id).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath operation(String id) {
        return as(CLIENT).when().get("/operations/" + id).then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath runner(String id) {
        return as(CLIENT).when().get("/runners/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Posts a lifecycle action and answers its operation. */
    public static JsonPath act(String session, String action) {
        return as(CLIENT).when().post("/sessions/" + session + "/" + action).then().statusCode(202).extract().jsonPath();
    }
}
