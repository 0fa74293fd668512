package dev.fleet.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON over HTTP/1.1 ({@link Http1Client}), with the retries every call shares: a connection error, a
 * timeout or a "busy" answer (429, 502, 503, 504) is retried with backoff (honouring
 * {@code Retry-After}) until the policy gives up; any other error answer becomes a
 * {@link FleetApiException} at once. The JDK's HTTP client is kept for the runner channel's WebSocket only.
 */
final class Transport {

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final Http1Client http1;
    private final Duration connectTimeout;
    private volatile HttpClient webSockets;
    private final String authorization;
    private final Duration requestTimeout;
    private volatile boolean closed;

    Transport(String token, Duration connectTimeout, Duration requestTimeout) {
        this.http1 = new Http1Client(connectTimeout);
        this.connectTimeout = connectTimeout;
        this.authorization = "Bearer " + token;
        this.requestTimeout = requestTimeout;
    }

    /** One exchange with retries; {@code answer} null or Void discards the body. */
    <T> T call(String method, URI uri, Object body, Map<String, String> headers, Class<T> answer, RetryPolicy retry,
            Duration extraTimeout) {
        long started = System.nanoTime();
        Throwable last = null;
        for (int attempt = 1; ; attempt++) {
            if (closed) {
                throw new CancellationException("the client is closed");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted before calling " + uri);
            }
            Duration pause;
            try {
                Http1Client.Response response = http1.send(method, uri, requestHeaders(body, headers),
                        body == null ? null : JSON.writeValueAsBytes(body), requestTimeout.plus(extraTimeout));
                if (response.status() < 300) {
                    return decode(response.body(), answer);
                }
                FleetApiException problem = problem(response);
                if (!busy(response.status())) {
                    throw problem;
                }
                last = problem;
                pause = max(retry.delay(attempt), problem.retryAfter());
            } catch (IOException e) {
                if (closed) {
                    throw new CancellationException("the client is closed");
                }
                last = e;
                pause = retry.delay(attempt);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (retry.giveUpAfter().minus(elapsed).compareTo(pause) < 0) {
                if (last instanceof FleetApiException busy) {
                    throw busy;
                }
                throw new ServiceUnreachableException(service(uri), elapsed, last);
            }
            sleep(pause);
        }
    }

    void close() {
        closed = true;
        http1.close(); // ends calls blocked in a read
    }

    /** The JDK client, for WebSockets (made on first use). */
    HttpClient http() {
        HttpClient client = webSockets;
        if (client == null) {
            synchronized (this) {
                if (webSockets == null) {
                    webSockets = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(connectTimeout).build();
                }
                client = webSockets;
            }
        }
        return client;
    }

    String authorization() {
        return authorization;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    private Map<String, String> requestHeaders(Object body, Map<String, String> extra) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Authorization", authorization);
        headers.put("Accept", "application/json");
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        headers.putAll(extra);
        return headers;
    }

    private static <T> T decode(byte[] body, Class<T> answer) throws IOException {
        if (answer == null || answer == Void.class || body.length == 0) {
            return null;
        }
        return JSON.readValue(body, answer);
    }

    private static FleetApiException problem(Http1Client.Response response) {
        String type = String.valueOf(response.status());
        String detail = null;
        try {
            JsonNode problem = JSON.readTree(response.body());
            if (problem != null && problem.hasNonNull("type") && !"about:blank".equals(problem.get("type").asText())) {
                String uri = problem.get("type").asText(); // urn:fleet:problem:lease-lost → lease-lost
                type = uri.substring(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf(':')) + 1);
            }
            if (problem != null) {
                detail = problem.hasNonNull("detail") ? problem.get("detail").asText()
                        : problem.hasNonNull("title") ? problem.get("title").asText() : null;
            }
        } catch (IOException notJson) {
            detail = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String retryAfterHeader = response.header("retry-after");
        Duration retryAfter = retryAfterHeader == null ? null : seconds(retryAfterHeader);
        return new FleetApiException(response.status(), type, detail, retryAfter);
    }

    private static Duration seconds(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return null; // an HTTP date: fall back to our own backoff
        }
    }

    private static boolean busy(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    private static Duration max(Duration a, Duration b) {
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    private static URI service(URI uri) {
        return URI.create(uri.getScheme() + "://" + uri.getAuthority());
    }

    private void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to retry");
        }
    }
}
