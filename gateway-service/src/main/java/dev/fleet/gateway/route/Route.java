package dev.fleet.gateway.route;

import java.time.Duration;

import dev.fleet.gateway.balance.Algorithm;
import dev.fleet.gateway.balance.Balancer;
import dev.fleet.gateway.config.GatewayConfig.RouteConfig;
import io.vertx.core.http.HttpServerRequest;

/** One configured route: which requests it takes, the pool they go to and how an instance is chosen. */
public final class Route {

    private final String name;
    private final String pool;
    private final String pathPrefix;
    private final String host;
    private final String headerName;
    private final String headerValue;
    private final boolean stripPrefix;
    private final Algorithm algorithm;
    private final Balancer balancer;
    private final KeySource keySource;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration idleTimeout;

    public Route(String name, RouteConfig config) {
        this.name = name;
        this.pool = config.pool();
        this.pathPrefix = config.pathPrefix().startsWith("/") ? config.pathPrefix() : "/" + config.pathPrefix();
        this.host = config.host().map(String::toLowerCase).orElse(null);
        String header = config.header().orElse(null);
        int equals = header == null ? -1 : header.indexOf('=');
        this.headerName = header == null ? null : (equals < 0 ? header : header.substring(0, equals)).trim();
        this.headerValue = equals < 0 ? null : header.substring(equals + 1).trim();
        this.stripPrefix = config.stripPrefix();
        this.algorithm = Algorithm.parse(config.algorithm());
        this.balancer = algorithm.newBalancer(config.hashLoadFactor());
        this.keySource = KeySource.parse(config.key());
        this.connectTimeout = config.connectTimeout();
        this.requestTimeout = config.requestTimeout();
        this.idleTimeout = config.idleTimeout();
    }

    public boolean matches(HttpServerRequest request, String path) {
        if (!path.startsWith(pathPrefix)) {
            return false;
        }
        if (host != null && !host.equals(hostWithoutPort(request))) {
            return false;
        }
        if (headerName != null) {
            String value = request.getHeader(headerName);
            return value != null && (headerValue == null || headerValue.equals(value));
        }
        return true;
    }

    /** How specific the route is: conditions on host or header first, then the longer prefix. */
    int specificity() {
        return (host != null ? 1 << 20 : 0) + (headerName != null ? 1 << 19 : 0) + pathPrefix.length();
    }

    /** The URI to send upstream: the client's, byte for byte, less the prefix when stripping. */
    public String upstreamUri(String uri) {
        if (!stripPrefix || pathPrefix.equals("/")) {
            return uri;
        }
        String rest = uri.substring(pathPrefix.length());
        return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
    }

    private static String hostWithoutPort(HttpServerRequest request) {
        String authority = request.authority() != null ? request.authority().host() : request.getHeader("Host");
        if (authority == null) {
            return null;
        }
        int colon = authority.lastIndexOf(':');
        String host = colon > 0 && authority.indexOf(']') < colon ? authority.substring(0, colon) : authority;
        return host.toLowerCase();
    }

    public String name() {
        return name;
    }

    public String pool() {
        return pool;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public Balancer balancer() {
        return balancer;
    }

    public KeySource keySource() {
        return keySource;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }
}
