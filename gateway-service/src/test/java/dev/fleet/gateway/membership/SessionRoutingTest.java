package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.membership.SessionServiceApi.Runner;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.proxy.ProxyServer;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/** Session routing end to end: runners registered in session-service, sessions placed by it, requests through the proxy. */
@QuarkusTest
@TestProfile(MembershipTestProfile.class)
class SessionRoutingTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSessionsRequestsGoToTheRunnerHoldingIt() throws Exception {
        String pool = MembershipTestProfile.SESSION_POOL;
        try (TestUpstream a = new TestUpstream("a"); TestUpstream b = new TestUpstream("b")) {
            Map<String, String> nameOfRunner = Map.of(
                    SessionServiceApi.register(pool, 1, a.url()).id(), "a",
                    SessionServiceApi.register(pool, 1, b.url()).id(), "b");
            await().atMost(Duration.ofSeconds(30)).until(() -> pools.pool(pool).members().size() == 2);

            for (int s = 0; s < 6; s++) {
                String session = SessionServiceApi.createSession(pool);
                String holder = nameOfRunner.get(SessionServiceApi.runnerOfSession(session));
                assertThat(holder).isNotNull();
                for (int i = 0; i < 3; i++) {
                    assertThat(get("/s/who", "X-Fleet-Session", session).body()).isEqualTo(holder);
                }
            }

            HttpResponse<String> unknown = get("/s/who", "X-Fleet-Session", "00000000-0000-0000-0000-000000000000");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(new JsonObject(unknown.body()).getString("type")).isEqualTo("urn:fleet:problem:session-not-found");
            HttpResponse<String> none = get("/s/who");
            assertThat(none.statusCode()).isEqualTo(400);
            assertThat(new JsonObject(none.body()).getString("type")).isEqualTo("urn:fleet:problem:missing-session");
        }
    }
}
