package dev.fleet.platform.conventions;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * What every Fleet service promises at its edge, checked against the running service and the
 * real PostgreSQL: health, metrics, OpenAPI, problem+json for every error, bearer-token roles.
 * Each service's {@code ServiceConventionsTest} extends it (and its {@code IT} re-runs it
 * against the packaged application).
 */
public abstract class ServiceConventionsContract {

    /** The PostgreSQL schema the service owns and migrates; empty for a service that keeps no state. */
    protected abstract Optional<String> ownedSchema();

    protected static final String ADMIN = "test-admin-token";
    protected static final String CLIENT = "test-client-token";
    protected static final String RUNNER = "test-runner-token";
    private static final String PROBLEM = "application/problem+json";
    private static final String NOTIFICATIONS = "/admin/notifications";

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** The checks readiness is made of; the gateway's says whether it can route instead. */
    protected String[] readinessChecks() {
        return new String[] {"NOTIFY listener", "Reactive PostgreSQL connections health check"};
    }

    @Test
    void readinessIsUpWithItsChecks() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems(readinessChecks()));
    }

    @Test
    void theNotifyListenerHasAHealthGroupOfItsOwn() {
        given().when().get("/q/health/group/notify").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("NOTIFY listener"));
    }

    @Test
    void livenessAndStartupAnswerWithoutToken() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsAreServedInPrometheusFormatWithoutToken() {
        given().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("# TYPE fleet_notify_listener_connected gauge"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void openApiDescribesTheServiceWithoutToken() {
        given().accept(ContentType.JSON).when().get("/q/openapi?format=json").then()
                .statusCode(200)
                .body("openapi", startsWith("3."))
                .body("paths['" + NOTIFICATIONS + "']", notNullValue());
    }

    @Test
    void unknownRouteIsProblemJson() {
        as(ADMIN).when().get("/no/such/route").then()
                .statusCode(404)
                .contentType(PROBLEM)
                .body("status", equalTo(404))
                .body("title", notNullValue())
                .body("detail", containsString("/no/such/route"));
    }

    @Test
    void wrongMethodIsProblemJson() {
        as(ADMIN).when().delete(NOTIFICATIONS).then()
                .statusCode(405)
                .contentType(PROBLEM)
                .body("status", equalTo(405));
    }

    @Test
    void malformedJsonIsProblemJson() {
        as(ADMIN).contentType(ContentType.JSON).body("{\"channel\": \"fleet_queue\", ").when().post(NOTIFICATIONS).then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:malformed-json"))
                .body("status", equalTo(400))
                .body("detail", containsString("not valid JSON"));
    }

    @Test
    void jsonOfTheWrongShapeNamesTheField() {
        as(ADMIN).contentType(ContentType.JSON).body("{\"channel\": \"fleet_queue\", \"payload\": [1, 2]}")
                .when().post(NOTIFICATIONS).then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:malformed-json"))
                .body("field", equalTo("payload"));
    }

    @Test
    void missingFieldsAreListedByName() {
        as(ADMIN).contentType(ContentType.JSON).body("{}").when().post(NOTIFICATIONS).then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:validation"))
                .body("errors.field", hasItems("channel", "payload"));
    }

    @Test
    void unknownChannelIsRejectedNamingTheField() {
        as(ADMIN).contentType(ContentType.JSON).body("{\"channel\": \"jobs\", \"payload\": {}}")
                .when().post(NOTIFICATIONS).then()
                .statusCode(422)
                .contentType(PROBLEM)
                .body("field", equalTo("channel"))
                .body("detail", containsString("fleet_queue"));
    }

    @Test
    void oversizedPayloadIsRejectedWithTheLimit() {
        String big = "x".repeat(8000);
        as(ADMIN).contentType(ContentType.JSON).body("{\"channel\": \"fleet_queue\", \"payload\": {\"big\": \"" + big + "\"}}")
                .when().post(NOTIFICATIONS).then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("field", equalTo("payload"))
                .body("limit", equalTo(7900));
    }

    @Test
    void bodyOverTheServiceLimitIs413BeforeItIsRead() {
        byte[] body = new byte[1024 * 1024 + 1]; // %test limit: 1M
        as(ADMIN).contentType(ContentType.JSON).body(body).when().post(NOTIFICATIONS).then()
                .statusCode(413)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:too-large"))
                .body("limit", equalTo(1024 * 1024));
    }

    @Test
    void bodyThatIsNotJsonIs415() {
        as(ADMIN).contentType(ContentType.TEXT).body("channel=fleet_queue").when().post(NOTIFICATIONS).then()
                .statusCode(415)
                .contentType(PROBLEM)
                .body("detail", containsString("application/json"));
    }

    @Test
    void missingTokenIs401WithBearerChallenge() {
        given().when().get(NOTIFICATIONS).then()
                .statusCode(401)
                .contentType(PROBLEM)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("type", equalTo("urn:fleet:problem:unauthorized"));
    }

    @Test
    void unknownTokenIs401() {
        as("not-a-configured-token").when().get(NOTIFICATIONS).then()
                .statusCode(401)
                .contentType(PROBLEM)
                .body("status", equalTo(401));
        given().header("Authorization", "Basic YWRtaW46YWRtaW4=").when().get(NOTIFICATIONS).then()
                .statusCode(401)
                .contentType(PROBLEM);
    }

    @Test
    void tokenOfAnotherRoleIs403() {
        as(CLIENT).when().get(NOTIFICATIONS).then()
                .statusCode(403)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:forbidden"));
    }

    @Test
    void adminSeesTheListenerAndCanPublish() {
        as(ADMIN).when().get(NOTIFICATIONS).then()
                .statusCode(200)
                .body("connected", equalTo(true))
                .body("backendPid", notNullValue());
        as(ADMIN).contentType(ContentType.JSON).body("{\"channel\": \"fleet_queue\", \"payload\": {\"overflow\": 1}}")
                .when().post(NOTIFICATIONS).then()
                .statusCode(202)
                .body("channel", equalTo("fleet_queue"))
                .body("bytes", equalTo(14));
    }

    @Test
    void hostileInputToAnyOperationNeverGetsA5xxAndEveryRefusalIsProblemJson() {
        HostileInputFuzzer fuzzer = new HostileInputFuzzer(List.of(ADMIN, RUNNER, CLIENT));
        List<String> failures = fuzzer.run();
        assertThat(fuzzer.requests()).as("requests sent").isGreaterThan(100);
        assertThat(failures).as("answers that broke the rules").isEmpty();
    }

    @Test
    void aRequestLineOverTheLimitIs414ProblemJson() {
        given().urlEncodingEnabled(false).when().get("/q/health/live?pad=" + "a".repeat(5000)).then()
                .statusCode(414)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:uri-too-long"))
                .body("limit", equalTo(4096));
    }

    @Test
    void headersOverTheLimitAre431ProblemJson() {
        given().header("X-Padding", "h".repeat(25_000)).when().get("/q/health/live").then()
                .statusCode(431)
                .contentType(PROBLEM)
                .body("type", equalTo("urn:fleet:problem:headers-too-large"))
                .body("limit", equalTo(20480));
    }

    @Test
    void controlCharactersInvalidUtf8AndAbsurdLengthsInAPathAre400() {
        for (String segment : List.of("%00", "a%0Db", "%FF", "%E2%82", "n".repeat(257))) {
            as(ADMIN).urlEncodingEnabled(false).when().get(NOTIFICATIONS + "/" + segment).then()
                    .statusCode(400)
                    .contentType(PROBLEM)
                    .body("type", equalTo("urn:fleet:problem:invalid-parameter"))
                    .body("detail", startsWith("Path segment 3 "));
        }
        as(ADMIN).urlEncodingEnabled(false).when().get(NOTIFICATIONS + "?x=%00").then()
                .statusCode(400)
                .contentType(PROBLEM)
                .body("detail", containsString("Query parameter 'x'"));
        as(ADMIN).when().get(NOTIFICATIONS + "/" + "n".repeat(256)).then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void ownedSchemaWasMigratedByFlywayAtStart() throws SQLException {
        Assumptions.assumeTrue(ownedSchema().isPresent(), "this service owns no schema");
        Config config = ConfigProvider.getConfig();
        String sql = "SELECT count(*) FROM " + ownedSchema().get() + ".flyway_schema_history WHERE success";
        try (Connection connection = DriverManager.getConnection(
                config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            assertTrue(rows.next());
            assertTrue(rows.getLong(1) > 0, "Flyway recorded no successful step in " + ownedSchema().get());
        }
    }
}
