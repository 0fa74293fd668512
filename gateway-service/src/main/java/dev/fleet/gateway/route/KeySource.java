package dev.fleet.gateway.route;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;

/** Where a route finds a request's affinity key: {@code header:NAME}, {@code cookie:NAME} or {@code query:NAME}. */
public record KeySource(Kind kind, String name) {

    public enum Kind { HEADER, COOKIE, QUERY }

    public static KeySource parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("key must be header:NAME, cookie:NAME or query:NAME, not '" + text + "'");
        }
        String kind = text.substring(0, colon).trim();
        String name = text.substring(colon + 1).trim();
        return switch (kind) {
            case "header" -> new KeySource(Kind.HEADER, name);
            case "cookie" -> new KeySource(Kind.COOKIE, name);
            case "query" -> new KeySource(Kind.QUERY, name);
            default -> throw new IllegalArgumentException("key must be header:NAME, cookie:NAME or query:NAME, not '" + text + "'");
        };
    }

    /** The key of this request, or null if it carries none. */
    public String of(HttpServerRequest request) {
        String value = switch (kind) {
            case HEADER -> request.getHeader(name);
            case COOKIE -> {
                Cookie cookie = request.getCookie(name);
                yield cookie == null ? null : cookie.getValue();
            }
            case QUERY -> request.getParam(name);
        };
        return value == null || value.isBlank() ? null : value;
    }
}
