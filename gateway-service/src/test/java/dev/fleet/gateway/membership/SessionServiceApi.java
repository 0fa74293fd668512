package dev.fleet.gateway.membership;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import dev.fleet.gateway.testing.SiblingServiceResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Drives session-service's REST API the way runners and clients do. */
final class SessionServiceApi {

    private SessionServiceApi() {
    }

    record Runner(String id, String token, String pool, String endpoint) {
    }

    static String randomPool() {
        return "gw-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Runner register(String pool, double weight) {
        return register(pool, weight, "http://127.0.0.1:" + (20000 + (int) (Math.random() * 10000)));
    }

    static Runner register(String pool, double weight, String endpoint) {
        var registered = as("test-runner-token").body(Map.of("pool", pool, "endpoint", endpoint, "maxSessions", 4,
                "weight", weight)).post("/runners").then().statusCode(201).extract().jsonPath();
        return new Runner(registered.getString("runner.id"), registered.getString("token"), pool, endpoint);
    }

    static void heartbeat(Runner runner, Map<String, Object> figures) {
        asRunner(runner).body(figures).post("/runners/" + runner.id() + "/heartbeat").then().statusCode(200);
    }

    static void drain(Runner runner) {
        asRunner(runner).post("/runners/" + runner.id() + "/drain").then().statusCode(200);
    }

    static void deregister(Runner runner) {
        asRunner(runner).delete("/runners/" + runner.id() + "?force=true").then().statusCode(200);
    }

    /** A session placed on a runner of {@code pool} → its id. */
    static String createSession(String pool) {
        return as("test-client-token").body(Map.of("pool", pool, "labels", Map.of(), "owner", "gateway-test",
                "kind", "human")).post("/sessions").then().statusCode(202).extract().jsonPath().getString("target");
    }

    /** The id of the runner session-service placed {@code session} on. */
    static String runnerOfSession(String session) {
        return as("test-client-token").get("/sessions/" + session).then().statusCode(200).extract().jsonPath()
                .getString("runnerId");
    }

    private static RequestSpecification asRunner(Runner runner) {
        return as("test-runner-token").header("X-Runner-Token", runner.token());
    }

    private static RequestSpecification as(String token) {
        return given().baseUri(SiblingServiceResource.of("session-service").url()).contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + token);
    }
}
