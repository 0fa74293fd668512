package dev.fleet.gateway.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.platform.auth.AuthConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A sample of answered requests as {@code gateway.request} telemetry samples (route, priority class,
 * time to the upstream's headers), which telemetry-service's request-latency SLOs read. Drawn on the
 * event loop at {@code telemetry.sample-rate} into a bounded buffer; sent in batches on a timer. It is
 * sampled data: a batch telemetry-service does not take is dropped and counted, not retried.
 */
@Startup // checks its settings at start, not on the first request
@Singleton
public class RequestSamples {

    private static final Logger LOG = Logger.getLogger(RequestSamples.class);
    static final int MAX_BATCH = 1000;

    private final boolean enabled;
    private final double rate;
    private final String source;
    private final BlockingQueue<JsonObject> buffer;
    private final HttpClient http;
    private final RequestOptions post;
    private final Counter sent;
    private final Counter dropped;
    private final Vertx vertx;
    private final long timer;

    RequestSamples(GatewayConfig config, AuthConfig auth, Vertx vertx, MeterRegistry registry) {
        GatewayConfig.Telemetry telemetry = config.telemetry();
        if (telemetry.sampleRate() < 0 || telemetry.sampleRate() > 1) {
            throw new IllegalArgumentException("fleet.gateway.telemetry.sample-rate is 0 to 1, not " + telemetry.sampleRate());
        }
        this.enabled = telemetry.url().isPresent() && telemetry.sampleRate() > 0;
        this.rate = telemetry.sampleRate();
        String host = System.getenv("HOSTNAME");
        this.source = host == null || host.isBlank() ? "gateway-service" : host;
        this.buffer = new ArrayBlockingQueue<>(Math.max(1, telemetry.maxBuffered()));
        this.http = enabled ? vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setMaxPoolSize(2)) : null;
        String token = config.token().or(() -> auth.adminTokens().map(tokens -> tokens.getFirst())).orElse("");
        this.post = telemetry.url().map(url -> new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(url.toString().replaceAll("/+$", "") + "/samples")
                .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json")
                .setTimeout(10_000)).orElse(null);
        this.sent = Counter.builder("fleet.gateway.telemetry.samples").tag("outcome", "sent").register(registry);
        this.dropped = Counter.builder("fleet.gateway.telemetry.samples").tag("outcome", "dropped").register(registry);
        this.vertx = vertx;
        this.timer = enabled ? vertx.setPeriodic(Math.max(1, telemetry.flushInterval().toMillis()), id -> flush()) : -1;
    }

    /** An answered request; kept at the sample rate. Never blocks. */
    public void answered(String route, int priority, long nanos, int status) {
        if (!enabled || (rate < 1 && ThreadLocalRandom.current().nextDouble() >= rate)) {
            return;
        }
        JsonObject attributes = new JsonObject().put("route", route).put("priority", "P" + priority);
        if (rate < 1) {
            attributes.put("sampleRate", rate);
        }
        JsonObject sample = new JsonObject().put("source", source).put("feature", "gateway.request")
                .put("durationMs", nanos / 1e6).put("outcome", status >= 500 ? "error" : "ok")
                .put("at", Instant.now().toString()).put("attributes", attributes);
        if (!buffer.offer(sample)) {
            dropped.increment();
        }
    }

    /** Sends what is buffered, in batches (on an event loop: nothing here blocks). */
    void flush() {
        while (!buffer.isEmpty()) {
            List<JsonObject> batch = new ArrayList<>(MAX_BATCH);
            buffer.drainTo(batch, MAX_BATCH);
            Buffer body = new JsonObject().put("samples", new JsonArray(new ArrayList<>(batch))).toBuffer();
            http.request(post).compose(request -> request.send(body))
                    .compose(response -> response.body().map(read -> response.statusCode())).onComplete(status -> {
                        if (status.succeeded() && status.result() == 202) {
                            sent.increment(batch.size());
                        } else {
                            dropped.increment(batch.size());
                            LOG.debugf("telemetry batch of %d samples dropped: %s", batch.size(), status.succeeded()
                                    ? "status " + status.result() : status.cause().getMessage());
                        }
                    });
        }
    }

    @PreDestroy
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (http != null) {
            http.close();
        }
    }
}
