package dev.fleet.scaler.pool;

import static dev.fleet.scaler.ScalerApi.ADMIN;
import static dev.fleet.scaler.ScalerApi.CLIENT;
import static dev.fleet.scaler.ScalerApi.as;
import static dev.fleet.scaler.ScalerApi.freshPool;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.scaler.FleetServicesResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
@WithTestResource(FleetServicesResource.class)
class PoolApiTest {

    private static final Map<String, Object> RECORDING = Map.of("kind", "recording");

    @Test
    void createReadReplaceAndDeleteAPool() {
        String pool = freshPool();
        Map<String, Object> spec = Map.of("minInstances", 0, "maxInstances", 4, "backend", RECORDING,
                "policy", Map.of("queueTarget", Map.of("jobsPerInstance", 2), "scaleOutCooldown", "30s"));
        as(ADMIN).body(spec).when().put("/pools/" + pool).then().statusCode(201)
                .body("name", equalTo(pool)).body("queue", equalTo(pool)).body("instances", equalTo(0))
                .body("source", equalTo("api")).body("spec.policy.queueTarget.jobsPerInstance", equalTo(2.0f));
        as(ADMIN).body(Map.of("maxInstances", 6, "queue", "shared", "backend", RECORDING))
                .when().put("/pools/" + pool).then().statusCode(200).body("queue", equalTo("shared"));
        as(CLIENT).when().get("/pools/" + pool).then().statusCode(200).body("spec.maxInstances", equalTo(6));
        as(CLIENT).when().get("/pools").then().statusCode(200).body("pools.name", hasItem(pool));
        as(ADMIN).when().delete("/pools/" + pool).then().statusCode(204);
        as(CLIENT).when().get("/pools/" + pool).then().statusCode(404).body("type", equalTo("urn:fleet:problem:pool-not-found"));
    }

    @Test
    void everyInvalidSpecIsA422NamingTheFieldAndChangesNothing() {
        String pool = freshPool();
        invalid(pool, Map.of("minInstances", 5, "maxInstances", 2, "backend", RECORDING), "maxInstances");
        invalid(pool, Map.of("backend", RECORDING), "maxInstances");
        invalid(pool, Map.of("maxInstances", 2), "backend.kind");
        invalid(pool, Map.of("maxInstances", 2, "backend", Map.of("kind", "ec2")), "backend.kind");
        invalid(pool, Map.of("maxInstances", 2, "backend", Map.of("kind", "docker")), "backend.settings.image");
        invalid(pool, Map.of("maxInstances", 2, "backend", Map.of("kind", "docker", "settings",
                Map.of("image", "fleet/runner", "memory", "lots"))), "backend.settings.memory");
        invalid(pool, Map.of("maxInstances", 2, "backend", Map.of("kind", "recording", "settings", Map.of("x", "1"))),
                "backend.settings.x");
        invalid(pool, Map.of("maxInstances", 2, "backend", RECORDING, "policy", Map.of("rules", List.of(Map.of(
                "name", "r", "metric", "cpu", "comparison", "sideways", "threshold", 5, "holdFor", "1m", "step", 1)))),
                "policy.rules[0].comparison");
        invalid(pool, Map.of("maxInstances", 2, "backend", RECORDING, "policy", Map.of("rules", List.of(Map.of(
                "name", "r", "metric", "cpu", "comparison", "above", "threshold", 5, "holdFor", "1m", "step", -1)))),
                "policy.rules[0].step");
        invalid(pool, Map.of("maxInstances", 2, "backend", RECORDING, "policy", Map.of("scaleInCooldown", "soon")),
                "policy.scaleInCooldown");
        invalid(pool, Map.of("maxInstances", 2, "backend", RECORDING, "policy",
                Map.of("predictive", Map.of("leadTime", "15m"))), "policy.predictive.formula");
        as(CLIENT).when().get("/pools/" + pool).then().statusCode(404);
    }

    @Test
    void onlyAdminsChangePoolsAndAnUnknownPoolIs404() {
        given().contentType("application/json").body(Map.of("maxInstances", 1, "backend", RECORDING))
                .when().put("/pools/" + freshPool()).then().statusCode(401);
        as(CLIENT).body(Map.of("maxInstances", 1, "backend", RECORDING))
                .when().put("/pools/" + freshPool()).then().statusCode(403);
        as(ADMIN).body(Map.of("instances", 1)).when().post("/pools/" + freshPool() + "/scale").then().statusCode(404);
    }

    @Test
    void manualScaleMustStayWithinThePoolsLimits() {
        String pool = freshPool();
        as(ADMIN).body(Map.of("minInstances", 1, "maxInstances", 3, "backend", RECORDING)).when()
                .put("/pools/" + pool).then().statusCode(201);
        as(ADMIN).body(Map.of("instances", 4)).when().post("/pools/" + pool + "/scale").then().statusCode(422)
                .body("field", equalTo("instances")).body("detail", containsString("between 1 and 3"));
        as(ADMIN).body(Map.of("instances", -1)).when().post("/pools/" + pool + "/scale").then().statusCode(400);
    }

    @Test
    void capacityPlanUsesTheModelAndItsOverrides() {
        // 500 users × 3 at peak × 1.2 headroom / 10 per instance = 180 instances
        JsonPath plan = as(CLIENT).body(Map.of("concurrentUsers", 500, "peakFactor", 3)).when()
                .post("/capacity-plan").then().statusCode(200).extract().jsonPath();
        assertThat(plan.getInt("instances")).isEqualTo(180);
        assertThat(plan.getDouble("cpuCores")).isEqualTo(180.0);
        assertThat(plan.getDouble("memoryGib")).isEqualTo(360.0);
        assertThat(plan.getDouble("diskGib")).isEqualTo(1800.0);
        assertThat(plan.getDouble("model.usersPerInstance")).isEqualTo(10.0);
        as(CLIENT).body(Map.of("concurrentUsers", 100, "usersPerInstance", 25, "headroom", 0)).when()
                .post("/capacity-plan").then().statusCode(200).body("instances", equalTo(4));
        as(CLIENT).body(Map.of("peakFactor", 2)).when().post("/capacity-plan").then().statusCode(400);
    }

    private static void invalid(String pool, Map<String, Object> spec, String field) {
        as(ADMIN).body(spec).when().put("/pools/" + pool).then().statusCode(422)
                .contentType("application/problem+json").body("field", equalTo(field));
    }
}
