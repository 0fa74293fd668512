package dev.fleet.gateway.health;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

/**
 * A runner stand-in on a free local port: {@code /health} answers what the test sets (status, body,
 * delay), every other path 404; it remembers each request URI so a test can count checks.
 */
final class FakeUpstream implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private volatile int healthStatus = 200;
    private volatile String healthBody = "{\"status\":\"UP\"}";
    private volatile long healthDelayMs;

    private FakeUpstream(Vertx vertx) throws Exception {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static FakeUpstream start(Vertx vertx) throws Exception {
        return new FakeUpstream(vertx);
    }

    private void handle(HttpServerRequest request) {
        requested.add(request.uri());
        if (!request.path().equals("/health")) {
            request.response().setStatusCode(404).end();
            return;
        }
        int status = healthStatus;
        String body = healthBody;
        Runnable answer = () -> request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
        long delay = healthDelayMs;
        if (delay > 0) {
            vertx.setTimer(delay, id -> answer.run());
        } else {
            answer.run();
        }
    }

    int port() {
        return server.actualPort();
    }

    void answerHealth(int status, String body) {
        this.healthStatus = status;
        this.healthBody = body;
    }

    void delayHealth(long ms) {
        this.healthDelayMs = ms;
    }

    /** Requests so far whose URI is exactly this. */
    long requests(String uri) {
        return requested.stream().filter(uri::equals).count();
    }

    List<String> requested() {
        return List.copyOf(requested);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
