package dev.fleet.gateway.proxy;

import java.time.Duration;
import java.util.Map;

import dev.fleet.platform.problem.Problem;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The errors the gateway itself answers (as opposed to an upstream's), as RFC 9457 problem+json
 * with distinct types, e.g. {@code urn:fleet:problem:no-route}. The request id is the problem's
 * {@code instance}, so a client's report leads straight to the gateway's log line.
 */
public final class GatewayProblems {

    public static final String NO_ROUTE = "no-route";
    public static final String NO_HEALTHY_INSTANCE = "no-healthy-instance";
    public static final String UPSTREAM_UNREACHABLE = "upstream-unreachable";
    public static final String UPSTREAM_TIMEOUT = "upstream-timeout";
    public static final String UPSTREAM_FAILED = "upstream-failed";
    public static final String QUEUE_FULL = "queue-full";
    public static final String QUEUE_TIMEOUT = "queue-timeout";
    public static final String BODY_TOO_LARGE = "body-too-large";
    public static final String HEADERS_TOO_LARGE = "headers-too-large";
    public static final String URI_TOO_LONG = "uri-too-long";
    public static final String MALFORMED_REQUEST = "malformed-request";
    public static final String INVALID_PRIORITY = "invalid-priority";
    public static final String MISSING_SESSION = "missing-session";
    public static final String SESSION_NOT_FOUND = "session-not-found";

    private GatewayProblems() {
    }

    /** Answers with a problem unless a response has already begun (then the stream is reset). */
    public static void send(HttpServerResponse response, int status, String type, String detail, String requestId,
            Duration retryAfter) {
        if (response.headWritten() || response.ended() || response.closed()) {
            if (!response.ended() && !response.closed()) {
                response.reset();
            }
            return;
        }
        Map<String, Object> body = Problem.body(status, type, Problem.titleFor(status), detail, requestId, Map.of());
        response.setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (requestId != null) {
            response.putHeader(ForwardedHeaders.REQUEST_ID, requestId);
        }
        if (retryAfter != null) {
            response.putHeader("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
        }
        response.end(new JsonObject(body).encode());
    }
}
