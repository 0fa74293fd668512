package dev.fleet.platform.problem;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error a client can act on, rendered as RFC 9457 {@code application/problem+json} by
 * {@link ProblemMapper}. Services throw it (or build it with the factories below) instead of
 * returning error responses by hand, so every 4xx/5xx has the same shape.
 *
 * <p>{@code type} is a short slug that becomes {@code urn:fleet:problem:<slug>}; clients switch on
 * it, people read {@code title} and {@code detail}. Extension members (for example {@code field}
 * or {@code limit}) name exactly what was wrong. Capacity problems carry a {@code Retry-After}.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private Duration retryAfter;

    public ProblemException(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    /** A request field that is present but not acceptable; {@code field} names it. */
    public static ProblemException invalidField(String field, String detail) {
        return new ProblemException(422, "invalid-field", "Invalid field", detail).with("field", field);
    }

    public static ProblemException notFound(String what, String detail) {
        return new ProblemException(404, what + "-not-found", "Not found", detail);
    }

    public static ProblemException conflict(String type, String detail) {
        return new ProblemException(409, type, "Conflict", detail);
    }

    public static ProblemException tooLarge(String field, long limit, String detail) {
        return new ProblemException(413, "too-large", "Content too large", detail)
                .with("field", field)
                .with("limit", limit);
    }

    /** A query parameter past a configured guardrail; {@code parameter} and {@code limit} name it. */
    public static ProblemException overLimit(String parameter, long limit, String detail) {
        return new ProblemException(400, "limit-exceeded", "Limit exceeded", detail)
                .with("parameter", parameter)
                .with("limit", limit);
    }

    public static ProblemException tooManyRequests(String type, String detail, Duration retryAfter) {
        return new ProblemException(429, type, "Too many requests", detail).retryAfter(retryAfter);
    }

    public static ProblemException unavailable(String type, String detail, Duration retryAfter) {
        return new ProblemException(503, type, "Service unavailable", detail).retryAfter(retryAfter);
    }

    /** Adds an extension member to the problem body. */
    public ProblemException with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public ProblemException retryAfter(Duration delay) {
        this.retryAfter = delay;
        return this;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return Collections.unmodifiableMap(extensions);
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
