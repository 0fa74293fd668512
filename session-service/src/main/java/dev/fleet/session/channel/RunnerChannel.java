package dev.fleet.session.channel;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.runner.RunnerCaller;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * One runner's open WebSocket on this replica. It pushes the runner's open operations, oldest
 * first, each once per socket unless unacknowledged past {@code ack-timeout} (then again, marked
 * as a redelivery); it turns the runner's reports into the same service calls the REST endpoints
 * make and answers each with a {@code reply} carrying the report's {@code id}.
 *
 * <p>Delivery is at-least-once: what was pushed and acknowledged is remembered only for the life
 * of this socket, so a new socket (a reconnect, another replica) pushes every open operation
 * again, and a runner keeps operations idempotent by their id. All state is confined to the
 * socket's event-loop context; reads and service calls hop back onto it.
 */
final class RunnerChannel {

    private static final Logger LOG = Logger.getLogger(RunnerChannel.class);

    private record Unacked(OperationView op, long sentAtNanos) {
    }

    private final UUID runner;
    private final RunnerCaller caller;
    private final ServerWebSocket socket;
    private final Vertx vertx;
    private final ChannelDispatcher dispatcher;
    private final SessionConfig.RunnerChannel limits;
    private final Consumer<RunnerChannel> onLeave;
    private final Consumer<Boolean> onPush;
    private final Map<UUID, Unacked> unacked = new LinkedHashMap<>();
    /** Acknowledged operations, with when they were pushed (a read older than that may not show them yet). */
    private final Map<UUID, Long> acked = new HashMap<>();
    private Context context;
    private boolean reading;
    private long readStartedNanos;
    private boolean readAgain;
    private boolean closed;
    private long lastHeardNanos = System.nanoTime();
    private long ackTimer = -1;
    private long pingTimer = -1;

    RunnerChannel(UUID runner, byte[] tokenDigest, ServerWebSocket socket, Vertx vertx, ChannelDispatcher dispatcher,
            SessionConfig config, Consumer<RunnerChannel> onLeave, Consumer<Boolean> onPush) {
        this.runner = runner;
        this.caller = new RunnerCaller(tokenDigest);
        this.socket = socket;
        this.vertx = vertx;
        this.dispatcher = dispatcher;
        this.limits = config.channel();
        this.onLeave = onLeave;
        this.onPush = onPush;
    }

    UUID runner() {
        return runner;
    }

    /** Called on the socket's context right after the upgrade. */
    void start() {
        context = vertx.getOrCreateContext();
        socket.textMessageHandler(this::onText);
        socket.binaryMessageHandler(binary -> replyProblem(null, ChannelProblems.malformed(null,
                "Binary messages are not part of the protocol; send JSON text.")));
        socket.pongHandler(pong -> heard());
        socket.exceptionHandler(e -> LOG.debugf("runner %s channel: %s", runner, e.getMessage()));
        socket.closeHandler(v -> left());
        send(dispatcher.encode(Map.of("type", "hello", "protocol", 1, "runner", runner.toString(),
                "ackTimeoutMs", limits.ackTimeout().toMillis(), "pingIntervalMs", limits.pingInterval().toMillis(),
                "idleTimeoutMs", limits.idleTimeout().toMillis(), "maxMessageBytes", limits.maxMessageBytes())));
        ackTimer = vertx.setPeriodic(Math.max(50, limits.ackTimeout().toMillis() / 2), id -> redeliverOverdue());
        pingTimer = vertx.setPeriodic(Math.max(50, limits.pingInterval().toMillis()), id -> pingOrClose());
        refresh();
    }

    /** Reads the runner's open operations and pushes what this socket has not delivered; coalesces calls. */
    void refresh() {
        if (context == null) {
            return;
        }
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            if (reading) {
                readAgain = true;
                return;
            }
            reading = true;
            readStartedNanos = System.nanoTime();
            dispatcher.openOperations(runner).subscribe().with(
                    open -> context.runOnContext(w -> afterRead(open)),
                    failure -> context.runOnContext(w -> {
                        LOG.warnf("runner %s channel: reading its operations failed: %s", runner, failure.getMessage());
                        afterRead(null);
                    }));
        });
    }

    void close(int code, String reason) {
        if (context == null) {
            socket.close((short) code, reason);
            return;
        }
        context.runOnContext(v -> {
            if (!closed) {
                socket.close((short) code, reason);
            }
        });
    }

    private void afterRead(List<OperationView> open) {
        reading = false;
        if (open != null && !closed) {
            deliver(open);
        }
        if (readAgain) {
            readAgain = false;
            refresh();
        }
    }

    /**
     * Pushes straight away an operation this replica just committed for the runner (no read); a
     * later read that shows it finds it delivered already.
     */
    void offer(OperationView op) {
        if (context == null) {
            return; // not started: its first read will find the operation
        }
        context.runOnContext(v -> {
            if (!closed && !acked.containsKey(op.id()) && !unacked.containsKey(op.id())) {
                unacked.put(op.id(), new Unacked(op, System.nanoTime()));
                push(op, false);
            }
        });
    }

    private void deliver(List<OperationView> open) {
        Set<UUID> ids = new LinkedHashSet<>();
        open.forEach(op -> ids.add(op.id()));
        // Ended operations are forgotten; one pushed after this read began may simply not show in it yet.
        acked.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue() - readStartedNanos < 0);
        unacked.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue().sentAtNanos() - readStartedNanos < 0);
        for (OperationView op : open) {
            if (!acked.containsKey(op.id()) && !unacked.containsKey(op.id())) {
                unacked.put(op.id(), new Unacked(op, System.nanoTime()));
                push(op, false);
            }
        }
    }

    private void redeliverOverdue() {
        long now = System.nanoTime();
        long timeout = limits.ackTimeout().toNanos();
        for (Map.Entry<UUID, Unacked> entry : unacked.entrySet()) {
            if (now - entry.getValue().sentAtNanos() >= timeout) {
                entry.setValue(new Unacked(entry.getValue().op(), now));
                push(entry.getValue().op(), true);
            }
        }
    }

    private void push(OperationView op, boolean redelivery) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "operation");
        message.put("operation", op);
        message.put("redelivery", redelivery);
        send(dispatcher.encode(message));
        onPush.accept(!redelivery);
    }

    private void pingOrClose() {
        if (System.nanoTime() - lastHeardNanos > limits.idleTimeout().toNanos()) {
            socket.close((short) 1001, "silent for longer than the idle timeout");
            return;
        }
        socket.writePing(Buffer.buffer("fleet"));
    }

    private void onText(String text) {
        heard();
        if (text.length() > limits.maxMessageBytes()) {
            replyProblem(null, ChannelProblems.tooLarge(limits.maxMessageBytes()));
            return;
        }
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            replyProblem(null, ChannelProblems.malformed(null, "The message is not a JSON object."));
            return;
        }
        Object id = message.getValue("id");
        String type = message.getValue("type") instanceof String t ? t : null;
        if ("ack".equals(type)) {
            UUID op = ChannelDispatcher.uuid(message, "operation");
            if (op == null) {
                replyProblem(id, ChannelProblems.malformed("operation", "An ack names the operation it acknowledges."));
                return;
            }
            Unacked delivered = unacked.remove(op);
            acked.put(op, delivered == null ? System.nanoTime() : delivered.sentAtNanos());
            return;
        }
        dispatcher.handle(type, message, runner, caller).subscribe().with(
                body -> context.runOnContext(v -> {
                    if ("complete".equals(type) || "fail".equals(type)) {
                        forget(ChannelDispatcher.uuid(message, "operation"));
                    }
                    reply(id, body);
                }),
                failure -> context.runOnContext(v -> replyProblem(id, failure)));
    }

    private void forget(UUID op) {
        unacked.remove(op);
        acked.remove(op);
    }

    private void reply(Object id, Object body) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("type", "reply");
        reply.put("id", id);
        reply.put("ok", true);
        reply.put("body", body);
        send(dispatcher.encode(reply));
    }

    private void replyProblem(Object id, Throwable failure) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("type", "reply");
        reply.put("id", id);
        reply.put("ok", false);
        reply.put("problem", ChannelProblems.body(failure, runner));
        send(dispatcher.encode(reply));
    }

    private void send(String frame) {
        if (!closed && !socket.isClosed()) {
            socket.writeTextMessage(frame);
        }
    }

    private void heard() {
        lastHeardNanos = System.nanoTime();
    }

    private void left() {
        closed = true;
        vertx.cancelTimer(ackTimer);
        vertx.cancelTimer(pingTimer);
        onLeave.accept(this);
    }
}
