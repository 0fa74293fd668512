package dev.fleet.platform.problem;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers, before anything else runs, a request that no endpoint should see: a request line over
 * {@code fleet.http.max-request-line} (414), headers over {@code fleet.http.max-header-bytes} (431), a
 * declared body over {@code quarkus.http.limits.max-body-size} (413, before any byte of it is read), or a
 * path or query whose text is hostile ({@link RequestText}: 400). Each gets a problem naming the limit.
 * Vert.x's codec would answer the first two itself with an empty body, so its limits are set higher
 * (64 KiB); only past those does the codec's bare answer remain. It still guards chunked uploads, which
 * declare no length.
 */
@Singleton
public class RequestLimitProblems {

    private final long maxBodyBytes;
    private final RequestLimitsConfig limits;

    RequestLimitProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            RequestLimitsConfig limits) {
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.limits = limits;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        int line = request.method().name().length() + request.uri().length() + " HTTP/1.1".length() + 1;
        if (line > limits.maxRequestLine()) {
            refuse(ctx, 414, "uri-too-long", "URI too long", "The request line is " + line
                    + " bytes; this service accepts at most " + limits.maxRequestLine() + ".", limits.maxRequestLine());
            return;
        }
        int headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4; // ": " and CRLF
        }
        if (headerBytes > limits.maxHeaderBytes()) {
            refuse(ctx, 431, "headers-too-large", "Request headers too large", "The request headers are "
                    + headerBytes + " bytes; this service accepts at most " + limits.maxHeaderBytes() + ".",
                    limits.maxHeaderBytes());
            return;
        }
        String declared = request.getHeader("Content-Length");
        if (declared != null && exceedsBodyLimit(declared)) {
            refuse(ctx, 413, "too-large", "Content too large", "The request body is " + declared
                    + " bytes; this service accepts at most " + maxBodyBytes + ".", maxBodyBytes);
            return;
        }
        Optional<String> hostile = RequestText.pathProblem(request.path(), limits.maxPathSegment())
                .or(() -> RequestText.queryProblem(request.query()));
        if (hostile.isPresent()) {
            send(ctx, 400, Problem.body(400, "invalid-parameter", "Invalid parameter", hostile.get(),
                    RequestText.printable(request.path()), Map.of()));
            return;
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String type, String title, String detail, long limit) {
        send(ctx, status, Problem.body(status, type, title, detail, RequestText.printable(ctx.request().path()),
                Map.of("limit", limit)));
    }

    private static void send(RoutingContext ctx, int status, Map<String, Object> body) {
        // The rest of a refused request is not read: close rather than drain it.
        ctx.response().setStatusCode(status)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close")
                .end(Json.encode(body));
    }

    private boolean exceedsBodyLimit(String declared) {
        try {
            return Long.parseLong(declared.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false; // Vert.x rejects a malformed length itself
        }
    }
}
