package dev.fleet.session.channel;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.auth.BearerTokens;
import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.Problem;
import dev.fleet.session.runner.RunnerTokens;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The handshake of {@code GET /runners/{id}/channel}: a WebSocket upgrade carrying the bearer
 * token of the runner (or admin) role and the runner's own {@code X-Runner-Token}. Everything is
 * checked before the upgrade, so a refused runner gets an ordinary problem+json answer (401, 403,
 * 404, 503) it can read, not a socket that closes at once.
 *
 * <p>A Vert.x route rather than WebSockets Next: that extension does not resolve from Maven
 * Central for this Quarkus version here, and a plain route needs nothing beyond Vert.x core.
 */
@Singleton
public class ChannelRoute {

    static final String PATH = "/runners/:id/channel";
    private static final String TOKEN_OF = "SELECT token_hash FROM session.runners WHERE id = $1";
    private static final Duration FULL_RETRY_AFTER = Duration.ofSeconds(5);

    private final BearerTokens bearerTokens;
    private final RunnerChannels channels;
    private final Pool pool;

    ChannelRoute(BearerTokens bearerTokens, RunnerChannels channels, Pool pool) {
        this.bearerTokens = bearerTokens;
        this.channels = channels;
        this.pool = pool;
    }

    void install(@Observes Router router) {
        router.get(PATH).order(-10).handler(this::handshake);
    }

    private void handshake(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
            refuse(ctx, 400, "not-a-websocket", "Bad request", "Open the runner channel with a WebSocket upgrade.", null);
            return;
        }
        Optional<String> role = bearerRole(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (role == null) {
            refuse(ctx, 401, "unauthorized", "Unauthorized", "Send Authorization: Bearer <token>.", null);
            return;
        }
        if (role.isEmpty()) {
            refuse(ctx, 401, "unauthorized", "Unauthorized", "The bearer token is not a configured token.", null);
            return;
        }
        if (!FleetRole.RUNNER.equals(role.get()) && !FleetRole.ADMIN.equals(role.get())) {
            refuse(ctx, 403, "forbidden", "Forbidden", "The runner channel takes a token of the runner or admin role.", null);
            return;
        }
        UUID runner = uuid(ctx.pathParam("id"));
        String token = request.getHeader(RunnerTokens.HEADER);
        if (runner == null) {
            refuse(ctx, 404, "runner-not-found", "Not Found", "There is no runner " + ctx.pathParam("id") + ".", null);
            return;
        }
        if (token == null || token.isBlank()) {
            refuse(ctx, 403, "runner-token", "Forbidden", "Send the token the runner got at registration as "
                    + RunnerTokens.HEADER + ".", null);
            return;
        }
        if (channels.isFull()) {
            refuse(ctx, 503, "too-many-channels", "Service Unavailable", "This replica holds its most runner channels"
                    + " (fleet.session.channel.max-channels); retry, or poll for operations.", FULL_RETRY_AFTER);
            return;
        }
        byte[] digest = RunnerTokens.digest(token);
        request.pause(); // the upgrade happens after the token check; hold the request until then
        pool.preparedQuery(TOKEN_OF).execute(Tuple.of(runner)).subscribe().with(rows -> {
            request.resume();
            if (rows.size() == 0) {
                refuse(ctx, 404, "runner-not-found", "Not Found", "There is no runner " + runner + ".", null);
            } else if (!MessageDigest.isEqual(rows.iterator().next().getBuffer("token_hash").getBytes(), digest)) {
                refuse(ctx, 403, "runner-token", "Forbidden", "This token is not runner " + runner + "'s.", null);
            } else {
                request.toWebSocket().onSuccess(socket -> channels.open(runner, digest, socket))
                        .onFailure(e -> refuse(ctx, 400, "not-a-websocket", "Bad request", e.getMessage(), null));
            }
        }, failure -> {
            request.resume();
            refuse(ctx, 503, "database-unavailable", "Service Unavailable", "Could not check the runner token: "
                    + failure.getMessage(), FULL_RETRY_AFTER);
        });
    }

    /** null: no header; empty: a header that is not a known bearer token. */
    private Optional<String> bearerRole(String header) {
        String prefix = "Bearer ";
        if (header == null) {
            return null;
        }
        if (!header.regionMatches(true, 0, prefix, 0, prefix.length()) || header.length() == prefix.length()) {
            return Optional.empty();
        }
        return bearerTokens.roleOf(header.substring(prefix.length()).strip());
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void refuse(RoutingContext ctx, int status, String type, String title, String detail, Duration retryAfter) {
        if (ctx.response().ended()) {
            return;
        }
        Map<String, Object> body = Problem.body(status, type, title, detail, ctx.request().path(), Map.of());
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"fleet\"");
        }
        if (retryAfter != null) {
            ctx.response().putHeader("Retry-After", String.valueOf(retryAfter.toSeconds()));
        }
        ctx.response().end(Json.encode(body));
    }
}
