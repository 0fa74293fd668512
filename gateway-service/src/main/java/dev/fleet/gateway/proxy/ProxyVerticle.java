package dev.fleet.gateway.proxy;

import java.time.Duration;

import dev.fleet.gateway.config.GatewayConfig;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;

/**
 * One event loop's share of the proxy listener: its server (Vert.x spreads connections over the
 * verticles listening on the same port) and its own upstream clients on the verticle's event loop,
 * so a request and its upstream connection stay on one thread.
 */
final class ProxyVerticle extends AbstractVerticle {

    /** An upstream connection left idle this long is closed. */
    private static final Duration UPSTREAM_KEEP_ALIVE = Duration.ofSeconds(60);

    private final ProxyHandler handler;
    private final GatewayConfig.Listener listener;
    private final int port;
    private HttpServer server;
    private UpstreamClient upstreams;

    ProxyVerticle(ProxyHandler handler, GatewayConfig.Listener listener, int port) {
        this.handler = handler;
        this.listener = listener;
        this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
        upstreams = new UpstreamClient((VertxInternal) vertx, ((ContextInternal) context).nettyEventLoop(),
                UPSTREAM_KEEP_ALIVE);
        ProxyHandler.Clients clients = new ProxyHandler.Clients(upstreams,
                // the idle limit of open upstream WebSockets, in seconds
                vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20)
                        .setMaxMessageSize(1 << 24)
                        .setIdleTimeout((int) Math.max(1, handler.upstreamIdleTimeout().toSeconds()))));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(listener.host())
                .setPort(port)
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(true)
                .setMaxHeaderSize(listener.maxHeaderSize())
                .setMaxInitialLineLength(listener.maxInitialLineLength())
                .setIdleTimeout((int) Math.max(1, listener.idleTimeout().toSeconds()))
                .setCompressionSupported(false)
                .setMaxWebSocketFrameSize(1 << 20)
                .setMaxWebSocketMessageSize(1 << 24);
        server = vertx.createHttpServer(options)
                .invalidRequestHandler(handler::handleInvalid)
                .requestHandler(request -> handler.handle(request, clients));
        server.listen().<Void>mapEmpty().onComplete(started);
    }

    @Override
    public void stop() {
        if (upstreams != null) {
            upstreams.close();
        }
    }

    int actualPort() {
        return server.actualPort();
    }
}
