package dev.fleet.platform.problem;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Problem bodies for errors the HTTP layer answers before any REST endpoint runs: a path no
 * route serves, a body over {@code quarkus.http.limits.max-body-size}, a header section that is
 * too large. Without this they would go out with an empty or HTML body.
 */
@Singleton
public class RouterProblems {

    void install(@Observes Router router) {
        router.errorHandler(404, ctx -> write(ctx, 404, "route-not-found",
                "No endpoint serves " + ctx.request().method() + " " + ctx.request().path() + "."));
        router.errorHandler(405, ctx -> write(ctx, 405, null,
                "This path does not accept " + ctx.request().method() + "."));
        router.errorHandler(413, ctx -> write(ctx, 413, "too-large",
                "The request body is larger than this service accepts."));
        router.errorHandler(431, ctx -> write(ctx, 431, null, "The request headers are too large."));
    }

    private static void write(RoutingContext ctx, int status, String type, String detail) {
        if (ctx.response().headWritten()) {
            return;
        }
        Map<String, Object> body = Problem.body(status, type, Problem.titleFor(status), detail,
                ctx.request().path(), Map.of());
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(Json.encode(body));
    }
}
