package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.runner.job.JobHandlers;

/** The runner's HTTP endpoints, the ones the gateway routes to, over real HTTP and WebSocket. */
class DemoHttpIT extends AgainstFleetServices {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static Runner runner;
    private static String base;

    @BeforeAll
    static void startRunner() throws Exception {
        runner = new Runner(services.runnerConfig(RunnerIT.unique("http"), 1), JobHandlers.builtIn(false)).start();
        base = "http://127.0.0.1:" + runner.port();
    }

    @AfterAll
    static void stopRunner() {
        runner.close();
    }

    @Test
    void healthIsJsonWithTheRunnersState() throws Exception {
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body = Api.JSON.readTree(health.body());
        assertThat(body.get("status").asText()).isEqualTo("ok");
        assertThat(body.get("runner").asText()).isEqualTo(runner.identity().id());
        assertThat(body.get("slots").get("total").asInt()).isEqualTo(1);
        assertThat(body.has("cpuPercent")).isTrue();
    }

    @Test
    void echoReturnsTheRequest() throws Exception {
        HttpResponse<String> echo = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/echo/a/b?x=1"))
                .header("X-Test", "yes").PUT(HttpRequest.BodyPublishers.ofString("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = Api.JSON.readTree(echo.body());
        assertThat(body.get("method").asText()).isEqualTo("PUT");
        assertThat(body.get("path").asText()).isEqualTo("/echo/a/b");
        assertThat(body.get("query").asText()).isEqualTo("x=1");
        assertThat(body.get("headers").get("X-Test").asText()).isEqualTo("yes");
        assertThat(body.get("body").asText()).isEqualTo("hello");
    }

    @Test
    void tooLargeAnEchoAndBadParametersAreProblems() throws Exception {
        HttpResponse<String> large = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(large.headers().firstValue("Content-Type")).hasValue("application/problem+json");

        HttpResponse<String> bad = get("/slow?ms=forever");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Api.JSON.readTree(bad.body()).get("type").asText()).isEqualTo("urn:fleet:problem:invalid-parameter");
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    }

    @Test
    void slowAnswersAfterItsDelay() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> slow = get("/slow?ms=300");
        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void sseEventsArriveOneByOneNotAtTheEnd() throws Exception {
        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sse?count=3&intervalMs=1000"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        long started = System.nanoTime();
        List<Long> arrivals = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("id: ")) {
                    arrivals.add((System.nanoTime() - started) / 1_000_000);
                }
            }
        }
        assertThat(arrivals).hasSize(3);
        // The first event is read while the stream is still open: nothing buffers it until the end.
        // The server sends them 2 s apart; half of that is slack for a late read on a loaded machine.
        assertThat(arrivals.get(2) - arrivals.get(0)).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void webSocketEchoes() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + runner.port() + "/ws"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        socket.sendText("ping over ws", true);
        assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("ping over ws");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
