package dev.fleet.gateway.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * A real upstream for the tests: a Vert.x HTTP server on a free port that records what reaches it.
 * {@code /echo} answers the request as JSON (method, uri, headers, body, the server's name);
 * {@code /slow?ms=} answers later; {@code /hold} answers only when the test calls {@link #release()} (a request
 * that stays in flight exactly as long as the test needs, however slow the machine); {@code /hold-sse} sends
 * one event at once and the last one on {@link #release()};
 * {@code /status?code=} answers that code; {@code /ws} echoes WebSocket messages; {@code /health}
 * answers what {@link #answerHealth} set (after {@link #delayHealth}); any other path answers 200 with
 * the name. {@link #seen} keeps the requests the tests send (not health checks); {@link #requests}
 * counts every URI, health checks included.
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
    private final List<String> uris = new CopyOnWriteArrayList<>();
    /** What each held request does once released: answer, or finish its stream. */
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private volatile int healthStatus = 200;
    private volatile String healthBody = new JsonObject().put("status", "ok").encode();
    private volatile long healthDelayMs;
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
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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

    public void answerHealth(int status, String body) {
        this.healthStatus = status;
        this.healthBody = body;
    }

    public void delayHealth(long ms) {
        this.healthDelayMs = ms;
    }

    /** Requests so far, health checks included, whose URI is exactly this. */
    public long requests(String uri) {
        return uris.stream().filter(uri::equals).count();
    }

    /** Every URI requested so far, health checks included. */
    public List<String> requested() {
        return List.copyOf(uris);
    }

    private void handle(HttpServerRequest request) {
        uris.add(request.uri());
        if (!isHealthCheck(request)) {
            seen.add(new Seen(request.method().name(), request.uri(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers())));
        }
        if (forcedStatus != 0 && !isHealthCheck(request)) {
            request.response().setStatusCode(forcedStatus).end(name);
            return;
        }
        switch (request.path()) {
            case "/health" -> health(request);
            case "/echo" -> request.body().onSuccess(body -> echo(request, body));
            case "/hold" -> held.add(() -> request.response().end(name));
            case "/hold-sse" -> {
                request.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
                        .write("data: first\n\n");
                held.add(() -> request.response().end("data: last\n\n"));
            }
            case "/slow" -> vertx.setTimer(Long.parseLong(request.getParam("ms", "100")),
                    id -> request.response().end(name));
            case "/status" -> request.response().setStatusCode(Integer.parseInt(request.getParam("code", "200")))
                    .end(name);
            default -> request.response().end(name);
        }
    }

    /**
     * The gateway's active checks, whatever path their layer probes (the HTTP layer asks for {@code /}): they
     * say who they are in their User-Agent. A test counts only the traffic it sent.
     */
    private static boolean isHealthCheck(HttpServerRequest request) {
        return request.path().equals("/health") || "fleet-gateway-health".equals(request.getHeader("User-Agent"));
    }

    private void health(HttpServerRequest request) {
        int status = healthStatus;
        String body = healthBody;
        Runnable answer = () -> request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body);
        if (healthDelayMs > 0) {
            vertx.setTimer(healthDelayMs, id -> answer.run());
        } else {
            answer.run();
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


    /** Answers every {@code /hold} request that waits so far, and ends every {@code /hold-sse} stream. */
    public void release() {
        for (Runnable finish : held) {
            held.remove(finish);
            vertx.runOnContext(ignored -> {
                try {
                    finish.run();
                } catch (IllegalStateException gone) {
                    // the client left; nothing to answer
                }
            });
        }
    }

    @Override
    public void close() throws Exception {
        release();
        server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
