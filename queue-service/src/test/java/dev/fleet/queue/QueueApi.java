package dev.fleet.queue;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The queue API as tests call it: real HTTP with the test profile's tokens. */
public final class QueueApi {

    public static final String ADMIN = "test-admin-token";
    public static final String RUNNER = "test-runner-token";
    public static final String CLIENT = "test-client-token";

    private QueueApi() {
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** A queue name no other test uses. */
    public static String freshQueue() {
        return "q-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public static void configure(String queue, Map<String, Object> settings) {
        as(ADMIN).body(settings).when().put("/queues/" + queue).then().statusCode(200);
    }

    public static long enqueue(String queue, Map<String, Object> job) {
        return as(CLIENT).body(job).when().post("/queues/" + queue + "/jobs").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    public static long enqueue(String queue, String kind) {
        return enqueue(queue, Map.of("kind", kind));
    }

    public static List<Map<String, Object>> claim(String queue, int max) {
        return claim(queue, "runner-" + UUID.randomUUID(), max, 0);
    }

    public static List<Map<String, Object>> claim(String queue, String runner, int max, long waitMs) {
        return as(RUNNER).body(Map.of("runnerId", runner, "max", max, "waitMs", waitMs))
                .when().post("/queues/" + queue + "/claim").then().statusCode(200)
                .extract().jsonPath().getList("jobs");
    }

    public static JsonPath job(long id) {
        return as(CLIENT).when().get("/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    public static long id(Map<String, Object> claimed) {
        return ((Number) claimed.get("id")).longValue();
    }

    public static String token(Map<String, Object> claimed) {
        return (String) claimed.get("leaseToken");
    }
}
