package dev.fleet.gateway.membership;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.platform.auth.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Non-blocking reads of session-service ({@code fleet.gateway.session-url}) with the gateway's
 * bearer token. Vert.x's own HTTP client, so a read started on an event loop never blocks it and
 * its answer comes back on one.
 */
@Singleton
public class SessionServiceClient {

    /** A read that takes longer is a failed read: the caller keeps what it knew. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;

    @Inject
    SessionServiceClient(GatewayConfig config, AuthConfig auth, Vertx vertx) {
        this(config.sessionUrl(), config.token().or(() -> auth.adminTokens().map(tokens -> tokens.getFirst())).orElse(""),
                vertx);
    }

    SessionServiceClient(Optional<URI> sessionUrl, String token, Vertx vertx) {
        this.baseUrl = sessionUrl.map(url -> url.toString().replaceAll("/+$", "")).orElse(null);
        this.authorization = "Bearer " + token;
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) READ_TIMEOUT.toMillis())
                .setMaxPoolSize(8));
    }

    @PreDestroy
    void stop() {
        http.close();
    }

    /** Whether a session-service is configured at all. */
    public boolean configured() {
        return baseUrl != null;
    }

    /** The configured base URL, or null. */
    public String url() {
        return baseUrl;
    }

    /**
     * GETs {@code path} (with its query): the JSON body of a 200, null for 404, a failed future for
     * any other answer, a timeout or no connection.
     */
    public Future<JsonObject> get(String path) {
        if (baseUrl == null) {
            return Future.failedFuture(new IllegalStateException("fleet.gateway.session-url is not set"));
        }
        String url = baseUrl + path;
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setConnectTimeout(READ_TIMEOUT.toMillis())
                .setIdleTimeout(READ_TIMEOUT.toMillis())
                .putHeader(HttpHeaders.AUTHORIZATION, authorization)
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        return http.request(request)
                .compose(sent -> sent.send())
                .compose(response -> response.body().map(body -> decode(url, response.statusCode(), body)));
    }

    /** A path segment: URL-encoded, with spaces as %20 (URLEncoder encodes for forms). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonObject decode(String url, int status, Buffer body) {
        if (status == 404) {
            return null;
        }
        if (status != 200) {
            throw new IllegalStateException("GET " + url + " answered " + status);
        }
        return body.toJsonObject();
    }
}
