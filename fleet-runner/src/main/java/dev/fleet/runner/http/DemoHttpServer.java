package dev.fleet.runner.http;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * The runner's HTTP face, for the traffic the gateway routes to it: {@code GET /health} (the
 * application-level health JSON; 503 while starting or draining), and demo endpoints —
 * {@code /echo} (any method: the request back as JSON), {@code GET /slow?ms=} (answers after a
 * delay), {@code GET /sse?count=&intervalMs=} (a Server-Sent Events stream) and {@code /ws}
 * (WebSocket echo). Errors are problem+json.
 */
public final class DemoHttpServer implements AutoCloseable {

    static final int MAX_ECHO_BYTES = 1 << 20;
    static final long MAX_SLOW_MS = 60_000;
    static final int MAX_SSE_EVENTS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    private final TrafficStats traffic = new TrafficStats();
    private final Supplier<Map<String, Object>> health;
    private final RequestTimings timings;
    private final double sampleRate;
    private HttpServer server;

    /** Where a sampled request's timing goes (telemetry, once the runner has registered). */
    @FunctionalInterface
    public interface RequestTimings {
        void record(String feature, Duration took, int status);
    }

    /**
     * @param health     the health JSON; its {@code status} "ok" answers 200, anything else 503
     * @param sampleRate the share of requests passed to {@code timings} (0–1)
     */
    public DemoHttpServer(Supplier<Map<String, Object>> health, RequestTimings timings, double sampleRate) {
        this.health = health;
        this.timings = timings;
        this.sampleRate = sampleRate;
    }

    /** Listens on {@code host:port} (port 0: any free one) → the port it got. */
    public int start(String host, int port) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .connectionHandler(connection -> {
                    traffic.opened();
                    connection.closeHandler(closed -> traffic.closed());
                })
                .requestHandler(this::route)
                .webSocketHandler(this::echoWebSocket);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server.actualPort();
    }

    public TrafficStats traffic() {
        return traffic;
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway: the process is on its way out
        }
    }

    private void route(HttpServerRequest request) {
        String path = request.path();
        switch (path) {
            case "/health" -> timed(request, "health", () -> health(request));
            case "/slow" -> timed(request, "slow", () -> slow(request));
            case "/sse" -> sse(request);
            default -> {
                if (path.equals("/echo") || path.startsWith("/echo/")) {
                    timed(request, "echo", () -> echo(request));
                } else {
                    problem(request.response(), 404, "not-found", "No such endpoint: " + path
                            + " (the runner serves /health, /echo, /slow, /sse and /ws).");
                }
            }
        }
    }

    private void health(HttpServerRequest request) {
        Map<String, Object> report = health.get();
        json(request.response(), "ok".equals(report.get("status")) ? 200 : 503, report);
    }

    private void echo(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        String length = request.getHeader("Content-Length");
        if (length != null && parseLong(length, 0) > MAX_ECHO_BYTES) {
            tooLarge(request);
            return;
        }
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_ECHO_BYTES) {
                tooLarge(request);
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(end -> {
            if (response.ended()) {
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            request.headers().names().forEach(name -> headers.put(name, String.join(", ", request.headers().getAll(name))));
            Map<String, Object> echo = new LinkedHashMap<>();
            echo.put("method", request.method().name());
            echo.put("path", request.path());
            echo.put("query", request.query());
            echo.put("headers", headers);
            echo.put("body", body.toString());
            json(response, 200, echo);
        });
    }

    private void slow(HttpServerRequest request) {
        long ms = parseLong(request.getParam("ms"), 1000);
        if (ms < 0 || ms > MAX_SLOW_MS) {
            problem(request.response(), 400, "invalid-parameter", "ms must be a whole number from 0 to " + MAX_SLOW_MS
                    + ", got '" + request.getParam("ms") + "'.");
            return;
        }
        long delay = ms;
        Runnable answer = () -> {
            if (!request.response().closed()) {
                json(request.response(), 200, Map.of("sleptMs", delay));
            }
        };
        if (delay == 0) {
            answer.run();
        } else {
            vertx.setTimer(delay, timer -> answer.run());
        }
    }

    /** Events are written as they happen (chunked, never buffered): {@code id} = sequence number, event {@code tick}. */
    private void sse(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        long count = parseLong(request.getParam("count"), 10);
        long interval = parseLong(request.getParam("intervalMs"), 1000);
        if (count < 1 || count > MAX_SSE_EVENTS || interval < 10 || interval > MAX_SLOW_MS) {
            problem(response, 400, "invalid-parameter", "count must be 1–" + MAX_SSE_EVENTS + " and intervalMs 10–"
                    + MAX_SLOW_MS + ".");
            return;
        }
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .write(": " + count + " events, one every " + interval + " ms\n\n");
        long[] sent = {0};
        long timer = vertx.setPeriodic(interval, id -> {
            sent[0]++;
            response.write("id: " + sent[0] + "\nevent: tick\ndata: {\"n\":" + sent[0] + ",\"at\":\"" + Instant.now()
                    + "\"}\n\n");
            if (sent[0] >= count) {
                vertx.cancelTimer(id);
                response.end();
            }
        });
        response.closeHandler(closed -> vertx.cancelTimer(timer));
    }

    private void echoWebSocket(ServerWebSocket socket) {
        if (!"/ws".equals(socket.path())) {
            socket.reject(404);
            return;
        }
        socket.textMessageHandler(socket::writeTextMessage);
        socket.binaryMessageHandler(socket::writeBinaryMessage);
    }

    /** Counts the response time into the heartbeat average and, sampled, into telemetry. */
    private void timed(HttpServerRequest request, String feature, Runnable handler) {
        long started = System.nanoTime();
        request.response().endHandler(end -> {
            double ms = (System.nanoTime() - started) / 1e6;
            traffic.responded(ms);
            if (sampleRate > 0 && ThreadLocalRandom.current().nextDouble() < sampleRate) {
                timings.record("http." + feature, Duration.ofNanos(System.nanoTime() - started),
                        request.response().getStatusCode());
            }
        });
        handler.run();
    }

    private void tooLarge(HttpServerRequest request) {
        if (!request.response().ended()) {
            request.response().putHeader("Connection", "close");
            problem(request.response(), 413, "payload-too-large", "The echo endpoint takes at most " + MAX_ECHO_BYTES
                    + " bytes of body.");
        }
    }

    static void problem(HttpServerResponse response, int status, String type, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:fleet:problem:" + type);
        problem.put("title", type.replace('-', ' '));
        problem.put("status", status);
        problem.put("detail", detail);
        write(response, status, "application/problem+json", problem);
    }

    private static void json(HttpServerResponse response, int status, Object body) {
        write(response, status, "application/json", body);
    }

    private static void write(HttpServerResponse response, int status, String type, Object body) {
        try {
            response.setStatusCode(status).putHeader("Content-Type", type).end(Buffer.buffer(JSON.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            response.setStatusCode(500).end();
        }
    }

    /** The parameter's value, {@code fallback} when absent, -1 when not a number. */
    private static long parseLong(String value, long fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
