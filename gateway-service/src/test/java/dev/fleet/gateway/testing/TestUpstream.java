package dev.fleet.gateway.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A real upstream for the tests: a Vert.x HTTP server on a free port that records what reaches it.
 * {@code /echo} answers the request as JSON (method, uri, headers, body, the server's name);
 * {@code /slow?ms=} answers later; {@code /sse?count=&intervalMs=} streams events;
 * {@code /status?code=} answers that code; {@code /ws} echoes WebSocket messages; {@code /health}
 * answers {@link #healthStatus}; any other path answers 200 with the name.
 */
public final class TestUpstream implements AutoCloseable {

    /** One request as it arrived. */
    public record Seen(String method, String uri, MultiMap headers) {
    }

    /** The upstreams' own Vert.x, apart from the gateway's, as a runner would be. */
    private static final Vertx UPSTREAMS = Vertx.vertx();

    private final String name;
    private final Vertx vertx = UPSTREAMS;
    private final HttpServer server;
    public final List<Seen> seen = new CopyOnWriteArrayList<>();
    public volatile int healthStatus = 200;
    /** Answer every request with this status instead (0: behave normally). */
    public volatile int forcedStatus;

    public TestUpstream(String name) throws Exception {
        this.name = name;
        this.server = vertx.createHttpServer()
                .webSocketHandler(ws -> ws.frameHandler(frame -> {
                    if (frame.isText()) {
                        ws.writeTextMessage(name + ":" + frame.textData());
                    } else if (frame.isBinary()) {
                        ws.writeBinaryMessage(frame.binaryData());
                    }
                }))
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public String name() {
        return name;
    }

    public int count() {
        return seen.size();
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().equals("/health")) {
            seen.add(new Seen(request.method().name(), request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
        }
        if (forcedStatus != 0 && !request.path().equals("/health")) {
            request.response().setStatusCode(forcedStatus).end(name);
            return;
        }
        switch (request.path()) {
            case "/health" -> request.response().setStatusCode(healthStatus)
                    .putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("status", healthStatus == 200 ? "ok" : "failing").encode());
            case "/echo" -> request.body().onSuccess(body -> echo(request, body));
            case "/slow" -> vertx.setTimer(Long.parseLong(request.getParam("ms", "100")),
                    id -> request.response().end(name));
            case "/status" -> request.response().setStatusCode(Integer.parseInt(request.getParam("code", "200")))
                    .end(name);
            case "/sse" -> sse(request, Integer.parseInt(request.getParam("count", "3")),
                    Long.parseLong(request.getParam("intervalMs", "200")));
            default -> request.response().end(name);
        }
    }

    private void echo(HttpServerRequest request, Buffer body) {
        JsonObject headers = new JsonObject();
        request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
        request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("server", name).put("method", request.method().name()).put("uri", request.uri())
                .put("headers", headers).put("bodyLength", body.length())
                .put("body", body.toString()).encode());
    }

    private void sse(HttpServerRequest request, int count, long intervalMs) {
        request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
        AtomicInteger sent = new AtomicInteger();
        vertx.setPeriodic(intervalMs, timer -> {
            int n = sent.incrementAndGet();
            request.response().write("id: " + n + "\ndata: " + System.currentTimeMillis() + "\n\n");
            if (n >= count) {
                vertx.cancelTimer(timer);
                request.response().end();
            }
        });
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
