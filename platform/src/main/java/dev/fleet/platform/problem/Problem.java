package dev.fleet.platform.problem;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/**
 * Builds RFC 9457 problem responses. The body is a plain ordered map, so rendering needs no
 * reflection (native-ready) and extension members sit beside the standard ones as the RFC asks.
 */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    /** Generic HTTP errors use the RFC's {@code about:blank} type; ours get a stable URN. */
    static final String TYPE_PREFIX = "urn:fleet:problem:";

    private Problem() {
    }

    public static Map<String, Object> body(int status, String type, String title, String detail,
            String instance, Map<String, Object> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type == null ? "about:blank" : TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        if (detail != null) {
            body.put("detail", detail);
        }
        if (instance != null) {
            body.put("instance", instance);
        }
        extensions.forEach(body::putIfAbsent);
        return body;
    }

    public static Response response(int status, Map<String, Object> body, Duration retryAfter) {
        Response.ResponseBuilder builder = Response.status(status).type(MEDIA_TYPE).entity(body);
        if (retryAfter != null) {
            builder.header("Retry-After", Math.max(1, (retryAfter.toMillis() + 999) / 1000));
        }
        return builder.build();
    }

    /** The reason phrase for a status, or a generic title for codes JAX-RS does not name. */
    public static String titleFor(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        if (known != null) {
            return known.getReasonPhrase();
        }
        return status >= 500 ? "Server error" : "Request error";
    }
}
