package dev.fleet.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain HTTP + JSON calls to a service, for a test's own view of what happened. */
record Api(String base) {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Answer(int status, JsonNode body) {
    }

    Answer get(String path) {
        return send("GET", path, null, FleetServices.ADMIN);
    }

    Answer post(String path, Object body, String token) {
        return send("POST", path, body, token);
    }

    Answer put(String path, Object body) {
        return send("PUT", path, body, FleetServices.ADMIN);
    }

    /** Enqueues jobs of one kind, one per payload → their ids. */
    List<Long> enqueue(String queue, String kind, List<Map<String, Object>> payloads) {
        List<Map<String, Object>> jobs = payloads.stream().map(p -> Map.<String, Object>of("kind", kind, "payload", p))
                .toList();
        Answer answer = post("/queues/" + queue + "/jobs/batch", Map.of("jobs", jobs), FleetServices.CLIENT);
        if (answer.status() != 201 && answer.status() != 200) {
            throw new IllegalStateException("enqueue refused: " + answer);
        }
        List<Long> ids = new ArrayList<>();
        answer.body().get("jobs").forEach(job -> ids.add(job.get("id").asLong()));
        return ids;
    }

    JsonNode job(long id) {
        return get("/jobs/" + id).body();
    }

    Answer send(String method, String path, Object body, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? null : JSON.readTree(response.body());
            return new Answer(response.statusCode(), json);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
