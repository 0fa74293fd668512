package dev.fleet.telemetry;

import static io.restassured.RestAssured.given;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** The telemetry API as tests call it: real HTTP with the test profile's tokens. */
public final class TelemetryApi {

    public static final String ADMIN = "test-admin-token";
    public static final String RUNNER = "test-runner-token";
    public static final String CLIENT = "test-client-token";
    public static final String PROBLEM = "application/problem+json";

    private TelemetryApi() {
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** A source or feature name no other test uses, so tests never see each other's samples. */
    public static String fresh(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** A sample with the required fields; callers add or remove the others (the map is mutable). */
    public static Map<String, Object> sample(String source, String feature, double durationMs) {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("source", source);
        sample.put("feature", feature);
        sample.put("durationMs", durationMs);
        return sample;
    }

    public static Map<String, Object> sample(String source, String feature, double durationMs, Instant at) {
        Map<String, Object> sample = sample(source, feature, durationMs);
        sample.put("at", at.toString());
        return sample;
    }

    public static ValidatableResponse post(String token, List<Map<String, Object>> samples) {
        return as(token).body(Map.of("samples", samples)).when().post("/samples").then();
    }

    /** Posts the batch and expects it stored whole. */
    public static void ingest(List<Map<String, Object>> samples) {
        post(RUNNER, samples).statusCode(202);
    }

    /** {@code GET /samples} with the given query string; the answer's samples, newest first. */
    public static List<Map<String, Object>> list(String query) {
        return as(CLIENT).when().get("/samples?" + query).then().statusCode(200)
                .extract().jsonPath().getList("samples");
    }
}
