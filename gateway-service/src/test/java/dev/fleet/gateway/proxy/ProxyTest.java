package dev.fleet.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
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
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.testing.TestPools;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/** The proxy itself against real upstream servers: what passes, what is added, streams, WebSockets, errors. */
@QuarkusTest
class ProxyTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    @Inject
    Vertx vertx;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new TestUpstream("u1");
        TestPools.use(pools, "web", upstream);
        TestPools.use(pools, "hosted", upstream);
    }

    @AfterEach
    void stop() throws Exception {
        TestPools.use(pools, "web");
        TestPools.use(pools, "hosted");
        upstream.close();
    }

    private URI gateway(String path) {
        return URI.create("http://127.0.0.1:" + proxy.port() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void passesMethodPathQueryHeadersAndBodyAndAddsForwardingHeaders() throws Exception {
        String body = "{\"a\":1,\"text\":\"é ü\"}";
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/web/echo?x=1&y=%20two&x=3"))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                .header("X-Custom", "Value With  Spaces").header("Content-Type", "application/json"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject echo = new JsonObject(response.body());
        assertThat(echo.getString("method")).isEqualTo("PATCH");
        assertThat(echo.getString("uri")).isEqualTo("/echo?x=1&y=%20two&x=3");
        assertThat(echo.getString("body")).isEqualTo(body);
        JsonObject headers = echo.getJsonObject("headers");
        assertThat(headers.getString("x-custom")).isEqualTo("Value With  Spaces");
        assertThat(headers.getString("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(headers.getString("x-forwarded-proto")).isEqualTo("http");
        assertThat(headers.getString("x-forwarded-host")).isEqualTo("127.0.0.1:" + proxy.port());
        assertThat(headers.getString("x-forwarded-port")).isEqualTo(Integer.toString(proxy.port()));
        assertThat(headers.getString("host")).isEqualTo("127.0.0.1:" + proxy.port());
        String generated = headers.getString("x-request-id");
        assertThat(generated).hasSizeGreaterThan(20);
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue(generated);
    }

    @Test
    void keepsTheClientsRequestIdAndAppendsToForwardedFor() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .header("X-Request-Id", "abc-123").header("X-Forwarded-For", "10.0.0.1"));

        JsonObject headers = new JsonObject(response.body()).getJsonObject("headers");
        assertThat(headers.getString("x-request-id")).isEqualTo("abc-123");
        assertThat(headers.getString("x-forwarded-for")).isEqualTo("10.0.0.1, 127.0.0.1");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    }

    @Test
    void routesByHostAndByHeader() throws Exception {
        HttpResponse<String> byHeader = send(HttpRequest.newBuilder(gateway("/anything")).header("X-Fleet-Pool", "hosted"));
        assertThat(byHeader.statusCode()).isEqualTo(200);
        assertThat(byHeader.body()).isEqualTo("u1");

        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.getOutputStream().write("GET /anything HTTP/1.1\r\nHost: runners.example:8000\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("u1");
        }
    }

    @Test
    void streamsLargeAndChunkedRequestBodies() throws Exception {
        byte[] big = "x".repeat(900_000).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> sized = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)));
        assertThat(new JsonObject(sized.body()).getInteger("bodyLength")).isEqualTo(900_000);

        // ofInputStream has no known length: the JDK client sends it chunked
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))));
        JsonObject echo = new JsonObject(chunked.body());
        assertThat(echo.getInteger("bodyLength")).isEqualTo(900_000);
        assertThat(echo.getJsonObject("headers").getString("transfer-encoding")).isEqualTo("chunked");
    }

    @Test
    void refusesBodiesOverTheLimitWith413() throws Exception {
        byte[] tooBig = new byte[1_100_000];
        HttpResponse<String> declared = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(tooBig)));
        assertProblem(declared, 413, "body-too-large");

        HttpResponse<String> chunked = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(tooBig))));
        assertProblem(chunked, 413, "body-too-large");
    }

    @Test
    void answersOversizedHeadersWith431AndMalformedRequestsWith400() throws Exception {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            headers.append("X-Big-").append(i).append(": ").append("a".repeat(900)).append("\r\n");
        }
        assertThat(rawRequest("GET /web/echo HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n"))
                .matches("(?s)HTTP/1\\.[01] 431 .*").contains("urn:fleet:problem:headers-too-large");
        assertThat(rawRequest("GET /web/" + "b".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .matches("(?s)HTTP/1\\.[01] 414 .*").contains("urn:fleet:problem:uri-too-long");
        assertThat(rawRequest("GET /web/echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"))
                .matches("(?s)HTTP/1\\.[01] 400 .*").contains("urn:fleet:problem:malformed-request");
        assertThat(upstream.count()).isZero();
    }

    private String rawRequest(String text) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            StringBuilder answer = new StringBuilder();
            char[] buffer = new char[4096];
            int read;
            while ((read = reader.read(buffer)) > 0) {
                answer.append(buffer, 0, read);
                if (answer.indexOf("}") > 0) {
                    break;
                }
            }
            return answer.toString();
        }
    }

    @Test
    void answersProblemsOfItsOwnWithDistinctTypes() throws Exception {
        assertProblem(send(HttpRequest.newBuilder(gateway("/nowhere"))), 404, "no-route");

        HttpResponse<String> badPriority = send(HttpRequest.newBuilder(gateway("/web/echo")).header("X-Fleet-Priority", "P9"));
        assertProblem(badPriority, 400, "invalid-priority");

        HttpResponse<String> timeout = send(HttpRequest.newBuilder(gateway("/timeout/hold")));
        assertProblem(timeout, 504, "upstream-timeout");

        TestPools.use(pools, "web");
        HttpResponse<String> none = send(HttpRequest.newBuilder(gateway("/web/echo")));
        assertProblem(none, 503, "no-healthy-instance");
        assertThat(none.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void reportsAnUnreachableUpstreamAs502() throws Exception {
        upstream.close();
        HttpResponse<String> response = send(HttpRequest.newBuilder(gateway("/web/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("not retried: it has a body")));
        assertProblem(response, 502, "upstream-unreachable");
        upstream = new TestUpstream("u1");
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonObject problem = new JsonObject(response.body());
        assertThat(problem.getString("type")).isEqualTo("urn:fleet:problem:" + type);
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("detail")).isNotBlank();
        assertThat(problem.getString("instance")).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void streamsServerSentEventsAsTheyComeNotAtTheEnd() throws Exception {
        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(gateway("/web/hold-sse")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        java.util.Iterator<String> events = response.body().filter(line -> line.startsWith("data: ")).iterator();
        // unbuffered: the first event reaches the client while the upstream still holds its stream open
        assertThat(events.next()).isEqualTo("data: first");
        upstream.release();
        assertThat(events.next()).isEqualTo("data: last");
        assertThat(events.hasNext()).isFalse();
    }

    @Test
    void tunnelsWebSockets() throws Exception {
        List<String> received = new ArrayList<>();
        CompletableFuture<Void> two = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/web/ws"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        synchronized (received) {
                            received.add(data.toString());
                            if (received.size() == 2) {
                                two.complete(null);
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).exceptionally(error -> {
                    // say what the gateway answered instead of 101
                    if (error.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                        throw new AssertionError("handshake refused: " + refused.getResponse().statusCode() + " "
                                + refused.getResponse().body(), error);
                    }
                    throw new AssertionError(error);
                }).get(30, TimeUnit.SECONDS);
        socket.sendText("hello", true).get(30, TimeUnit.SECONDS);
        socket.sendText("again", true).get(30, TimeUnit.SECONDS);
        two.get(30, TimeUnit.SECONDS);
        assertThat(received).containsExactly("u1:hello", "u1:again");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(30, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> pools.pool("web").inFlight() == 0);
    }

    @Test
    void speaksHttp2WithClientsOverCleartext() throws Exception {
        io.vertx.core.http.HttpClient h2 = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            JsonObject echo = h2.request(HttpMethod.POST, proxy.port(), "127.0.0.1", "/web/echo?h=2")
                    .compose(request -> request.send("over h2").compose(response -> {
                        assertThat(response.version()).isEqualTo(HttpVersion.HTTP_2);
                        return response.body();
                    }))
                    .map(buffer -> new JsonObject(buffer.toString()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(echo.getString("uri")).isEqualTo("/echo?h=2");
            assertThat(echo.getString("body")).isEqualTo("over h2");
        } finally {
            h2.close();
        }
    }
}
