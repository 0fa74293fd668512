package dev.fleet.platform.problem;

import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

/**
 * Answers a request whose declared {@code Content-Length} exceeds
 * {@code quarkus.http.limits.max-body-size} with a 413 problem naming the limit, before any byte
 * of the body is read. Vert.x's own check would answer with an empty body; it still guards
 * chunked uploads, which declare no length.
 */
@Singleton
public class BodyLimitProblems {

    private final long maxBodyBytes;

    BodyLimitProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader("Content-Length");
            if (declared == null || !exceedsLimit(declared)) {
                ctx.next();
                return;
            }
            Map<String, Object> body = Problem.body(413, "too-large", "Content too large",
                    "The request body is " + declared + " bytes; this service accepts at most " + maxBodyBytes + ".",
                    ctx.request().path(), Map.of("limit", maxBodyBytes));
            ctx.response().setStatusCode(413)
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Connection", "close")
                    .end(Json.encode(body));
        });
    }

    private boolean exceedsLimit(String declared) {
        try {
            return Long.parseLong(declared.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // Vert.x rejects a malformed length itself
        }
    }
}
