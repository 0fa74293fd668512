package dev.fleet.gateway.proxy;

import java.time.Duration;

import jakarta.inject.Singleton;

import dev.fleet.gateway.balance.Algorithm;
import dev.fleet.gateway.balance.Pick;
import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.health.OutlierEjection;
import dev.fleet.gateway.membership.SessionRunners;
import dev.fleet.gateway.metrics.GatewayMetrics;
import dev.fleet.gateway.metrics.RequestSamples;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.route.Route;
import dev.fleet.gateway.route.Routes;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.WebSocketClient;

/**
 * The proxy's request path: route, size and priority checks, affinity key (and for session routing
 * the session's runner), then an {@link Exchange} or a {@link WebSocketTunnel}. Shared by every
 * event loop; each loop brings its own upstream clients.
 */
@Singleton
public class ProxyHandler {

    private final GatewayConfig config;
    private final Routes routes;
    private final Pools pools;
    private final SessionRunners sessionRunners;
    private final OutlierEjection outliers;
    private final GatewayMetrics metrics;
    private final RequestSamples samples;

    ProxyHandler(GatewayConfig config, Routes routes, Pools pools, SessionRunners sessionRunners,
            OutlierEjection outliers, GatewayMetrics metrics, RequestSamples samples) {
        this.config = config;
        this.routes = routes;
        this.pools = pools;
        this.sessionRunners = sessionRunners;
        this.outliers = outliers;
        this.metrics = metrics;
        this.samples = samples;
    }

    /** A {@link ProxyVerticle}'s upstream clients: connections stay on the event loop that uses them. */
    record Clients(UpstreamClient http, WebSocketClient webSockets) {
    }

    int routeCount() {
        return routes.all().size();
    }

    /** Upstream connections idle this long close (ending a stalled stream): the longest route idle timeout. */
    Duration upstreamIdleTimeout() {
        return routes.all().stream().map(Route::idleTimeout).max(Duration::compareTo)
                .orElse(Duration.ofSeconds(300));
    }

    OutlierEjection outliers() {
        return outliers;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    RequestSamples samples() {
        return samples;
    }

    void handle(HttpServerRequest request, Clients clients) {
        String requestId = ForwardedHeaders.requestId(request);
        String path = request.path();
        Route route = path == null ? null : routes.match(request, path);
        if (route == null) {
            metrics.problem("", GatewayProblems.NO_ROUTE);
            GatewayProblems.send(request.response(), 404, GatewayProblems.NO_ROUTE,
                    "no route matches " + request.method() + " " + path, requestId, null);
            return;
        }
        long maxBody = config.listener().maxBodySize();
        if (declaredLength(request) > maxBody) {
            request.response().putHeader("Connection", "close");
            GatewayProblems.send(request.response(), 413, GatewayProblems.BODY_TOO_LARGE,
                    "the request body is larger than " + maxBody + " bytes", requestId, null);
            return;
        }
        int priority = Priority.parse(request.getHeader(Priority.HEADER));
        if (priority < 0) {
            GatewayProblems.send(request.response(), 400, GatewayProblems.INVALID_PRIORITY,
                    Priority.HEADER + " must be P0 to P6, not '" + request.getHeader(Priority.HEADER) + "'", requestId,
                    null);
            return;
        }
        Pool pool = pools.pool(route.pool());
        String key = route.keySource().of(request);
        if (WebSocketTunnel.isUpgrade(request)) {
            request.pause();
            new WebSocketTunnel(this, clients.webSockets(), request, route, pool, requestId).open(new Pick(key, null));
            return;
        }
        if (mayHaveBody(request)) {
            request.pause(); // until the exchange has an upstream to stream the body to
        }
        Context context = Vertx.currentContext();
        Exchange exchange = new Exchange(this, clients.http(), context, request, route, pool, priority, requestId,
                maxBody);
        if (route.algorithm() != Algorithm.SESSION) {
            exchange.admit(route.algorithm() == Algorithm.CONSISTENT_HASH ? new Pick(key, null) : Pick.ANY);
            return;
        }
        if (key == null) {
            exchange.fail(400, GatewayProblems.MISSING_SESSION, "route '" + route.name()
                    + "' routes by session: the request names none", null);
            return;
        }
        sessionRunners.runnerOf(key).onComplete(found -> {
            if (Vertx.currentContext() != context) {
                // a lookup answered on session-service's client thread: the exchange and its upstream
                // client belong to this event loop
                context.runOnContext(v -> routeToRunner(exchange, key, found));
            } else {
                routeToRunner(exchange, key, found);
            }
        });
    }

    private static void routeToRunner(Exchange exchange, String key, AsyncResult<String> found) {
        if (found.failed()) {
            exchange.fail(503, GatewayProblems.NO_HEALTHY_INSTANCE, "could not look up session " + key + ": "
                    + found.cause().getMessage(), Duration.ofSeconds(1));
        } else if (found.result() == null) {
            exchange.fail(404, GatewayProblems.SESSION_NOT_FOUND, "no live session " + key, null);
        } else {
            exchange.admit(new Pick(found.result(), null));
        }
    }

    /** Requests the HTTP codec could not parse: too long a line (414) or headers (431), or malformed (400). */
    void handleInvalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        request.response().putHeader("Connection", "close");
        String requestId = ForwardedHeaders.requestId(request);
        if (cause instanceof TooLongHttpHeaderException) {
            GatewayProblems.send(request.response(), 431, GatewayProblems.HEADERS_TOO_LARGE,
                    "the request headers are larger than " + config.listener().maxHeaderSize() + " bytes", requestId,
                    null);
        } else if (cause instanceof TooLongHttpLineException) {
            GatewayProblems.send(request.response(), 414, GatewayProblems.URI_TOO_LONG,
                    "the request line is longer than " + config.listener().maxInitialLineLength() + " bytes",
                    requestId, null);
        } else {
            GatewayProblems.send(request.response(), 400, GatewayProblems.MALFORMED_REQUEST,
                    "the request could not be parsed: " + (cause == null ? "invalid" : cause.getMessage()), requestId,
                    null);
        }
        metrics.problem("", "malformed");
    }

    /** HTTP/1 says so in the head; an HTTP/2 request tells only when its stream ends. */
    private static boolean mayHaveBody(HttpServerRequest request) {
        return request.version() == HttpVersion.HTTP_2 || declaredLength(request) > 0
                || request.getHeader("Transfer-Encoding") != null;
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length == null) {
            return 0;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
