package dev.fleet.gateway.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.inject.Singleton;

import dev.fleet.gateway.config.GatewayConfig;
import io.vertx.core.http.HttpServerRequest;

/**
 * The configured routes, most specific first (host or header conditions, then the longest path
 * prefix). A bad route fails the start with a message naming it.
 */
@Singleton
public class Routes {

    private final List<Route> routes;

    Routes(GatewayConfig config) {
        List<Route> parsed = new ArrayList<>();
        config.routes().forEach((name, route) -> {
            try {
                parsed.add(new Route(name, route));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("fleet.gateway.routes." + name + ": " + e.getMessage(), e);
            }
        });
        parsed.sort(Comparator.comparingInt(Route::specificity).reversed().thenComparing(Route::name));
        this.routes = List.copyOf(parsed);
    }

    /** The route for this request, or null. */
    public Route match(HttpServerRequest request, String path) {
        for (Route route : routes) {
            if (route.matches(request, path)) {
                return route;
            }
        }
        return null;
    }

    public List<Route> all() {
        return routes;
    }
}
