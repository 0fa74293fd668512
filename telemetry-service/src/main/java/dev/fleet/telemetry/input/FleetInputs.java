package dev.fleet.telemetry.input;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.platform.auth.AuthConfig;
import dev.fleet.telemetry.metrics.TelemetryMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Reads the findings' inputs over REST, non-blocking (Vert.x HTTP client, on the event loop): all
 * runners from session-service and all queues from queue-service, two requests per evaluation
 * whatever the size of the fleet. A read that fails, times out or answers anything but 200 yields
 * null for that input; it is logged and counted ({@code fleet_telemetry_input_reads_total}), and the
 * other input is still used.
 */
@Singleton
public class FleetInputs {

    private static final Logger LOG = Logger.getLogger(FleetInputs.class);

    private final HttpClient http;
    private final InputsConfig config;
    private final ObjectMapper json;
    private final TelemetryMetrics metrics;
    private final String authorization;

    FleetInputs(Vertx vertx, InputsConfig config, AuthConfig auth, ObjectMapper json, TelemetryMetrics metrics) {
        this.config = config;
        this.json = json;
        this.metrics = metrics;
        int timeoutMs = (int) config.timeout().toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeoutMs)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setIdleTimeout(timeoutMs)
                .setMaxPoolSize(2));
        String token = config.token().or(() -> auth.adminTokens().map(tokens -> tokens.getFirst())).orElse("");
        this.authorization = "Bearer " + token;
    }

    /** Both inputs, read at the same time. */
    public Uni<InputReadings> read() {
        Uni<List<RunnerReading>> runners = read("runners", config.sessionUrl(), "/runners", FleetInputs::runners);
        Uni<List<QueueReading>> queues = read("queues", config.queueUrl(), "/queues", FleetInputs::queues);
        return Uni.combine().all().unis(runners, queues).with(InputReadings::new);
    }

    private <T> Uni<List<T>> read(String input, URI service, String path, Function<JsonNode, List<T>> parse) {
        URI uri = service.resolve(path);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
                .putHeader("Authorization", authorization).putHeader("Accept", "application/json");
        return http.request(request)
                .chain(r -> r.send())
                .chain(response -> response.body().map(body -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("answered " + response.statusCode());
                    }
                    try {
                        return parse.apply(json.readTree(body.getBytes()));
                    } catch (IOException e) {
                        throw new IllegalStateException("answered no JSON", e);
                    }
                }))
                .ifNoItem().after(config.timeout()).fail()
                .onItem().invoke(() -> metrics.inputRead(input, true))
                .onFailure().recoverWithItem(e -> {
                    metrics.inputRead(input, false);
                    LOG.warnf("findings: GET %s could not be read (%s); its findings neither open nor resolve", uri,
                            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                    return null;
                });
    }

    private static List<RunnerReading> runners(JsonNode body) {
        JsonNode list = body.path("runners");
        if (!list.isArray()) {
            throw new IllegalStateException("answered no runners list");
        }
        List<RunnerReading> runners = new ArrayList<>();
        for (JsonNode r : list) {
            runners.add(new RunnerReading(r.path("id").asText(), r.path("pool").asText(), r.path("endpoint").asText(),
                    r.path("health").asText(), r.path("draining").asBoolean(), r.path("liveSessions").asInt(),
                    r.path("maxSessions").asInt(), figure(r, "cpuPercent"), figure(r, "memoryPercent"),
                    figure(r, "avgResponseMs")));
        }
        return runners;
    }

    private static List<QueueReading> queues(JsonNode body) {
        if (!body.isArray()) {
            throw new IllegalStateException("answered no queue list");
        }
        List<QueueReading> queues = new ArrayList<>();
        for (JsonNode q : body) {
            JsonNode stats = q.path("stats");
            queues.add(new QueueReading(q.path("settings").path("name").asText(),
                    stats.path("depth").path("available").asLong(), stats.path("depth").path("running").asLong(),
                    stats.path("oldestAvailableMs").asLong()));
        }
        return queues;
    }

    private static double figure(JsonNode runner, String field) {
        JsonNode value = runner.get(field);
        return value != null && value.isNumber() ? value.asDouble() : Double.NaN;
    }
}
