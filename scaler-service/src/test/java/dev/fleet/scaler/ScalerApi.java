package dev.fleet.scaler;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** The scaler's API, and the queue- and session-service it reads, as tests call them. */
public final class ScalerApi {

    public static final String ADMIN = "test-admin-token";
    public static final String RUNNER = "test-runner-token";
    public static final String CLIENT = "test-client-token";

    private ScalerApi() {
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** A pool name no other test uses (test pools start with {@code test-}). */
    public static String freshPool() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a pool run by the recording backend; {@code policy} may be null (defaults). */
    public static void putPool(String pool, int min, int max, Map<String, Object> policy, boolean dryRun) {
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("minInstances", min, "maxInstances", max,
                "backend", Map.of("kind", "recording"), "dryRun", dryRun));
        if (policy != null) {
            spec.put("policy", policy);
        }
        as(ADMIN).body(spec).when().put("/pools/" + pool).then().statusCode(201);
    }

    /** Enqueues {@code count} no-op jobs into {@code queue} of the real queue-service. */
    public static void enqueue(String queue, int count) {
        List<Map<String, Object>> jobs = java.util.Collections.nCopies(count, Map.of("kind", "noop"));
        as(CLIENT).baseUri(FleetServicesResource.queueUrl).body(Map.of("jobs", jobs))
                .when().post("/queues/" + queue + "/jobs/batch").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    public static RequestSpecification sessions(String token) {
        return as(token).baseUri(FleetServicesResource.sessionUrl);
    }
}
