package dev.fleet.client;

import java.time.Duration;

/**
 * A Fleet service refused a call with an RFC 9457 problem: {@code type} is the problem's short
 * type (e.g. {@code lease-lost}, {@code pool-full}), {@code detail} says what to do about it.
 */
public class FleetApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String detail;
    private final Duration retryAfter;

    public FleetApiException(int status, String type, String detail, Duration retryAfter) {
        super(status + " " + type + (detail == null ? "" : ": " + detail));
        this.status = status;
        this.type = type;
        this.detail = detail;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The problem type's last segment ({@code urn:fleet:problem:lease-lost} → {@code lease-lost}), else the HTTP status. */
    public String type() {
        return type;
    }

    public String detail() {
        return detail;
    }

    /** The service's {@code Retry-After}, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
