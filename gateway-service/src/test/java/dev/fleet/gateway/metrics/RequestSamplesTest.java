package dev.fleet.gateway.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.proxy.ProxyServer;
import dev.fleet.gateway.testing.SiblingServiceResource;
import dev.fleet.gateway.testing.TestPools;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Answered requests reach the real telemetry-service as samples, and its request-latency SLO counts them. */
@QuarkusTest
@TestProfile(RequestSamplesProfile.class)
class RequestSamplesTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void answeredRequestsBecomeSamplesThatTheRequestLatencySloCounts() throws Exception {
        try (TestUpstream upstream = new TestUpstream("u")) {
            TestPools.use(pools, "sampled", upstream);
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.port() + "/sampled/who"))
                        .header("X-Fleet-Priority", "P1").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
            }
            String telemetry = SiblingServiceResource.of("telemetry-service").url();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                List<Map<String, Object>> slos = given().header("Authorization", "Bearer test-client-token")
                        .get(telemetry + "/slos?window=PT1H").then().statusCode(200).extract().jsonPath().getList("slos");
                assertThat(slos).filteredOn(slo -> RequestSamplesProfile.ROUTE.equals(slo.get("scope")))
                        .singleElement().satisfies(slo -> {
                            assertThat(slo).containsEntry("objective", "request-latency").containsEntry("priority", "P1")
                                    .containsEntry("samples", 10);
                            // a local upstream answers far inside P1's 500 ms, even on a busy machine
                            assertThat(((Number) slo.get("ratio")).doubleValue()).isPositive();
                        });
            });
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("fleet_gateway_telemetry_samples_total{outcome=\"sent\"} 10.0");
        }
    }
}
