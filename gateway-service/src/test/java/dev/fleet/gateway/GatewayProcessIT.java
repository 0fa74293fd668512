package dev.fleet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.testing.TestUpstream;
import dev.fleet.platform.process.ServiceProcess;
import io.vertx.core.json.JsonObject;

/**
 * The packaged gateway as a user runs it without the rest of Fleet: upstreams and a route in
 * configuration only (like an nginx upstream block), traffic through its proxy port.
 */
class GatewayProcessIT {

    @Test
    void proxiesToConfiguredUpstreamsByTheirWeights() throws Exception {
        int proxyPort;
        try (ServerSocket free = new ServerSocket(0)) {
            proxyPort = free.getLocalPort();
        }
        try (TestUpstream light = new TestUpstream("light"); TestUpstream heavy = new TestUpstream("heavy");
                ServiceProcess gateway = new ServiceProcess(
                        "-Dfleet.gateway.listener.port=" + proxyPort,
                        "-Dfleet.gateway.pools.plain.upstreams=" + light.url() + "," + heavy.url() + ";weight=3",
                        "-Dfleet.gateway.pools.plain.slow-start=0s",
                        "-Dfleet.gateway.routes.all.pool=plain",
                        // turns by weight alone, so the shares are exact on a busy machine too
                        "-Dfleet.gateway.routes.all.algorithm=weighted-round-robin")) {
            gateway.start();
            HttpClient http = HttpClient.newHttpClient();
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 400; i++) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxyPort + "/echo?i=" + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                JsonObject echo = new JsonObject(response.body());
                assertThat(echo.getString("uri")).isEqualTo("/echo?i=" + i);
                counts.merge(echo.getString("server"), 1, Integer::sum);
            }
            assertThat(counts.get("light")).isBetween(90, 110);
            assertThat(counts.get("heavy")).isBetween(290, 310);

            HttpResponse<String> admin = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/pools/plain"))
                    .header("Authorization", "Bearer test-admin-token").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(new JsonObject(admin.body()).getJsonArray("members")).hasSize(2);
            assertThat(gateway.logText()).contains("Proxy listening on").doesNotContain("ERROR");
        }
    }
}
