package dev.fleet.scaler.input;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.platform.auth.AuthConfig;
import dev.fleet.scaler.config.ScalerConfig;

/**
 * Reads the scaler's inputs over REST: queue stats from queue-service, runners from
 * session-service. A periodic round reads all queues and all runners in two requests, whatever
 * the number of pools; a NOTIFY-triggered evaluation reads just its pool's. Blocking: call from a
 * worker thread.
 */
@Singleton
public class FleetReads {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ScalerConfig config;
    private final ObjectMapper json;
    private final String authorization;

    FleetReads(ScalerConfig config, AuthConfig auth, ObjectMapper json) {
        this.config = config;
        this.json = json;
        String token = config.token().or(() -> auth.adminTokens().map(tokens -> tokens.getFirst())).orElse("");
        this.authorization = "Bearer " + token;
    }

    /** Every pool's inputs: {@code queueOfPool} maps pool → its queue. */
    public Map<String, PoolInputs> all(Map<String, String> queueOfPool) throws IOException, InterruptedException {
        Map<String, double[]> queues = new HashMap<>();
        for (JsonNode queue : get(config.queueUrl(), "/queues")) {
            queues.put(queue.path("settings").path("name").asText(), queueFigures(queue));
        }
        Map<String, RunnerTally> runners = new HashMap<>();
        for (JsonNode runner : get(config.sessionUrl(), "/runners").path("runners")) {
            runners.computeIfAbsent(runner.path("pool").asText(), p -> new RunnerTally()).add(runner);
        }
        Map<String, PoolInputs> inputs = new HashMap<>();
        queueOfPool.forEach((pool, queue) -> {
            double[] q = queues.getOrDefault(queue, new double[2]);
            inputs.put(pool, runners.getOrDefault(pool, new RunnerTally()).inputs().withQueue(q[0], q[1]));
        });
        return inputs;
    }

    /** One pool's inputs. */
    public PoolInputs one(String pool, String queue) throws IOException, InterruptedException {
        JsonNode q = get(config.queueUrl(), "/queues/" + encode(queue));
        double[] figures = q.isMissingNode() ? new double[2] : queueFigures(q);
        RunnerTally tally = new RunnerTally();
        get(config.sessionUrl(), "/runners?pool=" + encode(pool)).path("runners").forEach(tally::add);
        return tally.inputs().withQueue(figures[0], figures[1]);
    }

    /** A registered runner as a backend choosing what to stop sees it. */
    public record RunnerSeen(String id, String endpoint, int liveSessions, boolean draining) {
    }

    /** The pool's registered runners (not gone). */
    public List<RunnerSeen> runners(String pool) throws IOException, InterruptedException {
        List<RunnerSeen> seen = new ArrayList<>();
        for (JsonNode runner : get(config.sessionUrl(), "/runners?pool=" + encode(pool)).path("runners")) {
            if (!runner.path("health").asText().equals("gone")) {
                seen.add(new RunnerSeen(runner.path("id").asText(), runner.path("endpoint").asText(),
                        runner.path("liveSessions").asInt(), runner.path("draining").asBoolean()));
            }
        }
        return seen;
    }

    /** Asks session-service to place no new session on the runner ({@code POST /runners/{id}/drain}). */
    public void drain(String runnerId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(config.sessionUrl().resolve("/runners/" + encode(runnerId)
                + "/drain")).timeout(config.inputTimeout()).header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200 && status != 404) {
            throw new IOException("POST /runners/" + runnerId + "/drain answered " + status);
        }
    }

    private static double[] queueFigures(JsonNode queue) {
        JsonNode depth = queue.path("stats").path("depth");
        return new double[] {depth.path("available").asDouble(), depth.path("running").asDouble()};
    }

    /** The body as JSON; a missing node for 404 (a queue nothing was ever enqueued to). */
    private JsonNode get(URI service, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(service.resolve(path)).timeout(config.inputTimeout())
                .header("Authorization", authorization).header("Accept", "application/json").GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return json.missingNode();
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + service.resolve(path) + " answered " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Sums one pool's runners: live = not gone and not draining. */
    private static final class RunnerTally {
        int live;
        int healthy;
        int unhealthy;
        double cpuSum;
        int cpuCount;
        long sessions;
        long slots;

        void add(JsonNode runner) {
            String health = runner.path("health").asText();
            if (health.equals("gone") || runner.path("draining").asBoolean()) {
                return;
            }
            live++;
            if (health.equals("unhealthy")) {
                unhealthy++;
            } else {
                healthy++;
            }
            if (runner.hasNonNull("cpuPercent")) {
                cpuSum += runner.get("cpuPercent").asDouble();
                cpuCount++;
            }
            sessions += runner.path("liveSessions").asLong();
            slots += runner.path("maxSessions").asLong();
        }

        PoolInputs inputs() {
            return new PoolInputs(0, 0, live, healthy, unhealthy, cpuCount == 0 ? Double.NaN : cpuSum / cpuCount,
                    slots == 0 ? Double.NaN : 100.0 * sessions / slots);
        }
    }
}
