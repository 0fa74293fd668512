package dev.fleet.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The runner's side of session-service's runner channel (docs/runner-protocol.md): one WebSocket
 * on which operations arrive the moment they exist and on which reports go back correlated by id.
 *
 * <p>Each pushed operation is acknowledged on arrival and handed to {@code onOperation} on the
 * socket's thread (hand long work to an executor). Delivery is at-least-once — after a reconnect
 * every open operation comes again — so the handler must be idempotent by operation id.
 * When the socket drops it reconnects by itself with full-jitter exponential backoff, trying the
 * configured endpoints in turn; meanwhile {@link #isOpen()} is false and reports fail with
 * {@link ChannelDownException}, so callers fall back to REST and polling. Nothing depends on the
 * socket being up.
 */
public final class RunnerChannel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunnerChannel.class.getName());
    private static final String RUNNER_TOKEN = "X-Runner-Token";

    /** The channel is not connected (or dropped before the reply came): use REST instead. */
    public static final class ChannelDownException extends RuntimeException {
        ChannelDownException(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final String authorization;
    private final List<URI> endpoints;
    private final RegisteredRunner runner;
    private final Consumer<Operation> onOperation;
    private final RetryPolicy backoff;
    private final Duration replyTimeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-channel").daemon().factory());
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private volatile WebSocket socket;
    private volatile boolean open;
    private volatile boolean closed;
    private volatile long lastHeardNanos;
    private volatile long idleTimeoutNanos = TimeUnit.SECONDS.toNanos(75);
    private int attempt;
    private int endpoint;

    RunnerChannel(HttpClient http, String authorization, List<URI> endpoints, RegisteredRunner runner,
            Consumer<Operation> onOperation, RetryPolicy backoff, Duration replyTimeout) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("a channel needs at least one session-service endpoint");
        }
        this.http = http;
        this.authorization = authorization;
        this.endpoints = List.copyOf(endpoints);
        this.runner = runner;
        this.onOperation = onOperation;
        this.backoff = backoff;
        this.replyTimeout = replyTimeout;
        timer.execute(this::connect);
        timer.scheduleWithFixedDelay(this::checkSilence, 1, 1, TimeUnit.SECONDS);
    }

    /** True between the service's hello and the socket's end. */
    public boolean isOpen() {
        return open;
    }

    /** How many times a socket was established (1 after the first connect; more after reconnects). */
    public long connects() {
        return connects.get();
    }

    /** The session-service this channel is (or was last) connected to. */
    public URI endpoint() {
        synchronized (this) {
            return endpoints.get(endpoint);
        }
    }

    public void progress(String operationId, int progress, Map<String, Object> metadata) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("operation", operationId, "progress", progress));
        if (metadata != null) {
            fields.put("metadata", metadata);
        }
        call("progress", fields);
    }

    public void complete(String operationId, Object result) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("operation", operationId));
        if (result != null) {
            fields.put("result", result);
        }
        call("complete", fields);
    }

    public void fail(String operationId, String error) {
        call("fail", Map.of("operation", operationId, "error", error));
    }

    public HeartbeatReply heartbeat(RunnerLoad load) {
        return Transport.JSON.convertValue(call("heartbeat", Map.of("load", load)), HeartbeatReply.class);
    }

    /**
     * Sends one report and waits for its reply body.
     *
     * @throws FleetApiException    the service refused it (the same problem REST would answer)
     * @throws ChannelDownException no socket, or it dropped or stayed silent before the reply
     */
    public JsonNode call(String type, Map<String, Object> fields) {
        WebSocket current = socket;
        if (!open || current == null) {
            throw new ChannelDownException("the runner channel is not connected");
        }
        String id = Long.toString(ids.incrementAndGet());
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", type);
        message.put("id", id);
        message.putAll(fields);
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            sendText(current, Transport.JSON.writeValueAsString(message));
            return reply.get(replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new ChannelDownException(e.getMessage());
        } catch (TimeoutException e) {
            throw new ChannelDownException("no reply to " + type + " within " + replyTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelDownException("interrupted while waiting for the reply to " + type);
        } catch (IOException e) {
            throw new IllegalArgumentException("a channel message did not encode: " + e.getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        closed = true;
        open = false;
        WebSocket current = socket;
        if (current != null) {
            current.sendClose(WebSocket.NORMAL_CLOSURE, "runner closing").orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((ws, e) -> current.abort());
        }
        timer.shutdownNow();
        failPending("the channel was closed");
    }

    private void connect() {
        if (closed) {
            return;
        }
        URI base = endpoint();
        URI uri = URI.create(("https".equals(base.getScheme()) ? "wss://" : "ws://") + base.getRawAuthority()
                + "/runners/" + runner.id() + "/channel");
        http.newWebSocketBuilder().header("Authorization", authorization).header(RUNNER_TOKEN, runner.token())
                .connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, new Listener())
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        LOG.log(System.Logger.Level.DEBUG, "runner channel to " + base + " failed: " + failure.getMessage());
                        scheduleReconnect();
                    }
                });
    }

    private synchronized void scheduleReconnect() {
        if (closed) {
            return;
        }
        attempt++;
        endpoint = (endpoint + 1) % endpoints.size(); // the next replica may be the one that is up
        Duration pause = backoff.delay(attempt);
        timer.schedule(this::connect, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onDown(WebSocket ws, String why) {
        if (ws != socket) {
            return; // an older socket ending after a newer one took over
        }
        boolean wasOpen = open;
        open = false;
        socket = null;
        failPending(why);
        if (wasOpen) {
            LOG.log(System.Logger.Level.INFO, "runner channel down (" + why + "); reconnecting, polling meanwhile");
        }
        if (!closed) {
            synchronized (this) {
                if (wasOpen) {
                    attempt = 0; // the first retry after a working socket is quick
                }
            }
            scheduleReconnect();
        }
    }

    /** A socket the service stopped answering (its host vanished without a FIN) is given up. */
    private void checkSilence() {
        WebSocket current = socket;
        if (current != null && System.nanoTime() - lastHeardNanos > idleTimeoutNanos) {
            current.abort();
            onDown(current, "silent for " + TimeUnit.NANOSECONDS.toSeconds(idleTimeoutNanos) + " s");
        }
    }

    private void failPending(String why) {
        pending.values().forEach(reply -> reply.completeExceptionally(new ChannelDownException(why)));
    }

    private void onMessage(WebSocket ws, String text) {
        JsonNode message;
        try {
            message = Transport.JSON.readTree(text);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "runner channel: a message that is not JSON was ignored");
            return;
        }
        switch (message.path("type").asText()) {
            case "hello" -> {
                long idle = message.path("idleTimeoutMs").asLong(60_000) + message.path("pingIntervalMs").asLong(15_000);
                idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idle);
                synchronized (this) {
                    attempt = 0;
                }
                connects.incrementAndGet();
                open = true;
            }
            case "operation" -> {
                Operation operation = Transport.JSON.convertValue(message.get("operation"), Operation.class);
                sendText(ws, "{\"type\":\"ack\",\"operation\":\"" + operation.id() + "\"}");
                try {
                    onOperation.accept(operation);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "operation handler failed on " + operation.id() + ": " + e);
                }
            }
            case "reply" -> {
                CompletableFuture<JsonNode> reply = pending.get(message.path("id").asText());
                if (reply == null) {
                    return; // answered after its caller gave up
                }
                if (message.path("ok").asBoolean()) {
                    reply.complete(message.get("body"));
                } else {
                    reply.completeExceptionally(problem(message.path("problem")));
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "runner channel: ignored a " + message.path("type") + " message");
        }
    }

    private static FleetApiException problem(JsonNode problem) {
        String uri = problem.path("type").asText("about:blank");
        String type = "about:blank".equals(uri) ? String.valueOf(problem.path("status").asInt())
                : uri.substring(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf(':')) + 1);
        Duration retryAfter = problem.has("retryAfterMs") ? Duration.ofMillis(problem.get("retryAfterMs").asLong()) : null;
        return new FleetApiException(problem.path("status").asInt(500), type,
                problem.path("detail").asText(problem.path("title").asText(null)), retryAfter);
    }

    /** WebSocket sends must not overlap: one at a time per socket. */
    private static void sendText(WebSocket ws, String text) {
        synchronized (ws) {
            try {
                ws.sendText(text, true).join();
            } catch (CompletionException e) {
                throw new ChannelDownException("sending on the channel failed: " + e.getCause());
            }
        }
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            socket = ws; // before any message or error of this socket can arrive
            lastHeardNanos = System.nanoTime();
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            lastHeardNanos = System.nanoTime();
            text.append(data);
            if (last) {
                String whole = text.toString();
                text.setLength(0);
                onMessage(ws, whole);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            lastHeardNanos = System.nanoTime();
            return WebSocket.Listener.super.onPing(ws, message);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            onDown(ws, "closed by the service: " + statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            onDown(ws, String.valueOf(error.getMessage()));
        }
    }
}
