package dev.fleet.session.channel;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.vertx.core.json.JsonObject;

/** A runner's side of the channel as a test drives it: a real WebSocket (JDK client), messages as they arrive. */
final class ChannelSocket implements AutoCloseable {

    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    private final WebSocket socket;
    private volatile int closeCode = -1;

    private ChannelSocket(URI base, String runner, String runnerToken, String bearer) {
        StringBuilder text = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.add(new JsonObject(text.toString()));
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeCode = statusCode;
                return null;
            }
        };
        URI uri = URI.create("ws://" + base.getAuthority() + "/runners/" + runner + "/channel");
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + bearer).header("X-Runner-Token", runnerToken)
                .connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, listener).join();
    }

    static ChannelSocket open(URI base, String runner, String runnerToken, String bearer) {
        return new ChannelSocket(base, runner, runnerToken, bearer);
    }

    void send(JsonObject message) {
        socket.sendText(message.encode(), true).join();
    }

    void sendRaw(String text) {
        socket.sendText(text, true).join();
    }

    /** The next message that matches, skipping others; fails after a generous wait. */
    JsonObject next(Predicate<JsonObject> wanted) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (System.nanoTime() < deadline) {
                JsonObject message = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (message != null && wanted.test(message)) {
                    return message;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no matching channel message within 30 s");
    }

    JsonObject next(String type) {
        return next(m -> type.equals(m.getString("type")));
    }

    JsonObject reply(String id) {
        return next(m -> "reply".equals(m.getString("type")) && id.equals(m.getValue("id")));
    }

    JsonObject operationFor(String session) {
        return next(m -> "operation".equals(m.getString("type"))
                && session.equals(m.getJsonObject("operation").getString("target")));
    }

    int closeCode() {
        return closeCode;
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "test done");
        socket.abort();
    }
}
