package dev.fleet.gateway.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.route.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;

/**
 * A WebSocket through the gateway: the upstream handshake is made first, so a refusal is still an
 * HTTP answer to the client; then the client's upgrade is accepted and frames flow both ways as they
 * come (text, binary and continuation alike, with back-pressure), and a close on one side closes the
 * other with the same code. The tunnel holds an instance slot for its whole life.
 */
final class WebSocketTunnel {

    /** The client's handshake headers are the upstream client's to make. */
    private static final List<String> HANDSHAKE = List.of("sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-protocol");

    private final ProxyHandler proxy;
    private final WebSocketClient client;
    private final HttpServerRequest request;
    private final Route route;
    private final Pool pool;
    private final String requestId;
    private boolean released;

    WebSocketTunnel(ProxyHandler proxy, WebSocketClient client, HttpServerRequest request, Route route, Pool pool,
            String requestId) {
        this.proxy = proxy;
        this.client = client;
        this.request = request;
        this.route = route;
        this.pool = pool;
        this.requestId = requestId;
    }

    static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    void open(Pick pick) {
        Instance instance = pool.acquire(route.balancer(), pick);
        if (instance == null) {
            String type = pool.snapshot().size() == 0 ? GatewayProblems.NO_HEALTHY_INSTANCE : GatewayProblems.QUEUE_FULL;
            int status = pool.snapshot().size() == 0 ? 503 : 429;
            proxy.metrics().problem(pool.name(), type);
            GatewayProblems.send(request.response(), status, type, "no instance of pool '" + pool.name()
                    + "' can take a WebSocket now", requestId, Duration.ofSeconds(1));
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.forRequest(request, requestId, headers::add);
        HANDSHAKE.forEach(headers::remove);
        headers.remove("Host");
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(instance.address().host())
                .setPort(instance.address().port())
                .setSsl(instance.address().ssl())
                .setURI(route.upstreamUri(request.uri()))
                .setHeaders(headers)
                .setConnectTimeout(route.connectTimeout().toMillis())
                // In milliseconds, and Vert.x 4.5 uses it only to bound the handshake (then closes the
                // connection); the open WebSocket's idle limit is the client's (see ProxyVerticle).
                .setIdleTimeout(route.requestTimeout().toMillis());
        String protocols = request.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String protocol : protocols.split(",")) {
                options.addSubProtocol(protocol.trim());
            }
        }
        long started = System.nanoTime();
        client.connect(options).onComplete(connected -> {
            if (connected.failed()) {
                handshakeFailed(instance, connected.cause(), System.nanoTime() - started);
                return;
            }
            instance.recordOutcome((System.nanoTime() - started) / 1e6, false);
            WebSocket upstream = connected.result();
            request.toWebSocket().onComplete(accepted -> {
                if (accepted.failed()) {
                    upstream.close();
                    release(instance);
                    return;
                }
                ServerWebSocket downstream = accepted.result();
                relay(downstream, upstream);
                relay(upstream, downstream);
                downstream.closeHandler(v -> {
                    closeWithSameCode(downstream, upstream);
                    release(instance);
                });
                upstream.closeHandler(v -> {
                    closeWithSameCode(upstream, downstream);
                    release(instance);
                });
            });
        });
    }

    /**
     * A handshake that outlived the route's request timeout was closed by the client for it: 504, as for a
     * request whose answer did not come; any other failure (refused, reset, rejected) is 502.
     */
    private void handshakeFailed(Instance instance, Throwable cause, long elapsedNanos) {
        long timeoutMs = route.requestTimeout().toMillis();
        release(instance);
        if (elapsedNanos >= timeoutMs * 1_000_000L) {
            proxy.metrics().problem(pool.name(), GatewayProblems.UPSTREAM_TIMEOUT);
            instance.recordOutcome(timeoutMs, true);
            proxy.outliers().afterFailure(pool, instance, instance.consecutiveFailures(), "timeout");
            GatewayProblems.send(request.response(), 504, GatewayProblems.UPSTREAM_TIMEOUT, instance.address()
                    + " did not answer the WebSocket handshake within " + timeoutMs + " ms", requestId, null);
            return;
        }
        instance.recordConnectFailure();
        proxy.outliers().afterFailure(pool, instance, instance.consecutiveFailures(), "connect");
        proxy.metrics().problem(pool.name(), GatewayProblems.UPSTREAM_UNREACHABLE);
        GatewayProblems.send(request.response(), 502, GatewayProblems.UPSTREAM_UNREACHABLE,
                "WebSocket handshake with " + instance.address() + " failed: " + cause.getMessage(), requestId, null);
    }

    private static void relay(WebSocketBase from, WebSocketBase to) {
        from.frameHandler(frame -> {
            if (frame.isClose() || frame.isPing() || frame.type() == io.vertx.core.http.WebSocketFrameType.PONG) {
                return; // control frames are each side's own (close is relayed by closeWithSameCode)
            }
            to.writeFrame(copy(frame));
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
    }

    private static WebSocketFrame copy(WebSocketFrame frame) {
        if (frame.isText()) {
            return WebSocketFrame.textFrame(frame.textData(), frame.isFinal());
        }
        if (frame.isBinary()) {
            return WebSocketFrame.binaryFrame(frame.binaryData(), frame.isFinal());
        }
        return WebSocketFrame.continuationFrame(frame.binaryData(), frame.isFinal());
    }

    private static void closeWithSameCode(WebSocketBase closed, WebSocketBase other) {
        if (other.isClosed()) {
            return;
        }
        Short code = closed.closeStatusCode();
        if (code == null || code == 1005 || code == 1006) {
            other.close();
        } else {
            other.close(code, closed.closeReason());
        }
    }

    private void release(Instance instance) {
        if (!released) {
            released = true;
            pool.release(instance);
        }
    }
}
