package dev.fleet.gateway.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.proxy.ProxyServer;
import dev.fleet.gateway.testing.TestPools;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With PostgreSQL down, the gateway stays ready and routes: readiness says whether it can route, and
 * the NOTIFY listener's state (down) is in its own health group.
 */
@QuarkusTest
@TestProfile(DatabaseDownProfile.class)
class ReadinessWithoutDatabaseTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    @AfterEach
    void empty() {
        TestPools.use(pools, "web");
    }

    @Test
    void theGatewayIsReadyAndRoutesWhileTheNotifyListenerIsDown() throws Exception {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("proxy"))
                .body("checks.name", not(hasItems("NOTIFY listener")));
        given().when().get("/q/health/group/notify").then()
                .statusCode(503)
                .body("checks.find { it.name == 'NOTIFY listener' }.status", equalTo("DOWN"));

        try (TestUpstream upstream = new TestUpstream("still-here")) {
            TestPools.use(pools, "web", upstream);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/web/who")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("still-here");
            given().when().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'proxy' }.data.'pools with an instance'", equalTo(1));
        }
    }
}
