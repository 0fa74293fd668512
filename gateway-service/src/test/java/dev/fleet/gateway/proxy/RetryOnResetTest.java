package dev.fleet.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.testing.ScriptedUpstream;
import dev.fleet.gateway.testing.ScriptedUpstream.Answer;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;

/** An upstream that resets the connection before answering: replayable requests go elsewhere, others get 502. */
@QuarkusTest
class RetryOnResetTest {

    /** Requests sent until the resetting upstream has seen enough of them (it is one of two, picked at random). */
    private static final int MAX_ATTEMPTS = 200;

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void empty() {
        pools.pool("resets").replaceMembers("test", List.of(), System.nanoTime());
    }

    private Pool use(ScriptedUpstream resetting, TestUpstream good) {
        long now = System.nanoTime();
        Pool pool = pools.pool("resets");
        pool.replaceMembers("test", List.of(
                new Instance("resetting", "resets", Address.parse(resetting.url()), "test", ReportedLoad.ofCapacity(1), now),
                new Instance(good.name(), "resets", Address.parse(good.url()), "test", ReportedLoad.ofCapacity(1), now)), now);
        return pool;
    }

    private HttpResponse<String> send(String method, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/resets/who"))
                .method(method, body).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bodylessGetAndHeadAreRetriedElsewhereAfterAReset() throws Exception {
        try (ScriptedUpstream resetting = new ScriptedUpstream(request -> Answer.reset()); TestUpstream good = new TestUpstream("good")) {
            use(resetting, good);
            // two resets of each method (fewer than the 5 in a row that would eject it)
            for (String method : List.of("GET", "HEAD")) {
                int before = resetting.requests();
                for (int i = 0; i < MAX_ATTEMPTS && resetting.requests() < before + 2; i++) {
                    HttpResponse<String> response = send(method, HttpRequest.BodyPublishers.noBody());
                    assertThat(response.statusCode()).as(method + " " + response.body()).isEqualTo(200);
                    if (method.equals("GET")) {
                        assertThat(response.body()).isEqualTo("good");
                    }
                }
                assertThat(resetting.requests()).as("resets of " + method).isEqualTo(before + 2);
            }
        }
    }

    @Test
    void aRequestWithABodyIsNotReplayedAndGets502() throws Exception {
        try (ScriptedUpstream resetting = new ScriptedUpstream(request -> Answer.reset()); TestUpstream good = new TestUpstream("good")) {
            use(resetting, good);
            HttpResponse<String> reset = null;
            int answered = 0;
            for (int i = 0; i < MAX_ATTEMPTS && reset == null; i++) {
                int before = resetting.requests();
                HttpResponse<String> response = send("POST", HttpRequest.BodyPublishers.ofString("once only"));
                if (resetting.requests() > before) {
                    reset = response;
                } else {
                    assertThat(response.statusCode()).isEqualTo(200);
                    answered++;
                }
            }
            assertThat(reset).as("the resetting upstream got a POST").isNotNull();
            assertThat(reset.statusCode()).isEqualTo(502);
            assertThat(reset.body()).contains(GatewayProblems.UPSTREAM_FAILED);
            assertThat(good.count()).as("the reset POST was not sent again").isEqualTo(answered);
        }
    }
}
