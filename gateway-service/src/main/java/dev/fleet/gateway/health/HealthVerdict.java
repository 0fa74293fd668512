package dev.fleet.gateway.health;

import java.util.Locale;
import java.util.Set;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Judges an HTTP layer's answer: status code rules per layer, and the runner's health JSON for APP. */
final class HealthVerdict {

    /** {@code status} values of a runner's health JSON that mean healthy (compared ignoring case). */
    private static final Set<String> HEALTHY_STATUSES = Set.of("ok", "up", "healthy");

    private HealthVerdict() {
    }

    static CheckResult judge(HealthLayer layer, int status, Buffer body) {
        return switch (layer) {
            // Any answer below 500 proves the HTTP server works; 404 on "/" is fine.
            case HTTP -> status < 500 ? CheckResult.passed("status " + status) : CheckResult.failed("status " + status);
            case DEEP -> status >= 200 && status < 300 ? CheckResult.passed("status " + status)
                    : CheckResult.failed("status " + status);
            case APP -> status == 200 ? judgeAppBody(body) : CheckResult.failed("status " + status);
            case TCP -> throw new IllegalArgumentException("TCP has no HTTP answer");
        };
    }

    /** A 200 passes unless its body is a JSON object whose {@code status} says otherwise. */
    static CheckResult judgeAppBody(Buffer body) {
        Object parsed;
        try {
            parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
        } catch (DecodeException notJson) {
            return CheckResult.passed("status 200");
        }
        if (!(parsed instanceof JsonObject json) || !json.containsKey("status")) {
            return CheckResult.passed("status 200");
        }
        String reported = String.valueOf(json.getValue("status"));
        return HEALTHY_STATUSES.contains(reported.toLowerCase(Locale.ROOT))
                ? CheckResult.passed("status 200, " + reported)
                : CheckResult.failed("status 200 but reports status " + reported);
    }
}
