package dev.fleet.queue.job;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.id;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class OutcomeStreamTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    ResultWaiters waiters;

    /** One SSE event as read off the wire. */
    record Event(String id, String name, JsonObject data) {
    }

    @Test
    void streamsEveryJobOfTheQueueThatFinishesWhileItIsOpenOnceWithItsOutcome() throws Exception {
        String queue = freshQueue();
        long before = enqueue(queue, Map.of("kind", "noop"));
        complete(claim(queue, 1).get(0), Map.of("n", 0));

        int waiting = waiters.waitingCount();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                base.resolve("/queues/" + queue + "/outcomes")).header("Authorization", "Bearer " + CLIENT)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> read(response.body(), events));
        await().atMost(Duration.ofSeconds(20)).until(() -> waiters.waitingCount() > waiting);

        long ok = enqueue(queue, Map.of("kind", "noop"));
        long dead = enqueue(queue, Map.of("kind", "noop"));
        long cancelled = enqueue(queue, Map.of("kind", "noop", "delayMs", 600_000));
        List<Map<String, Object>> claimed = claim(queue, 2);
        for (Map<String, Object> job : claimed) {
            if (id(job) == ok) {
                complete(job, Map.of("n", 1));
            } else {
                as(RUNNER).body(Map.of("leaseToken", token(job), "error", "broken", "retryable", false))
                        .when().post("/jobs/" + id(job) + "/fail").then().statusCode(200);
            }
        }
        as(CLIENT).when().post("/jobs/" + cancelled + "/cancel").then().statusCode(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> events.size() >= 3);
        reader.interrupt();
        response.body().close();
        List<String> ids = events.stream().map(Event::id).toList();
        assertThat(ids).containsExactlyInAnyOrder(String.valueOf(ok), String.valueOf(dead), String.valueOf(cancelled));
        assertThat(ids).doesNotContain(String.valueOf(before));
        for (Event event : events) {
            assertThat(event.data().getString("state")).isEqualTo(event.name());
            assertThat(event.data().getString("queue")).isEqualTo(queue);
        }
        Event success = events.stream().filter(e -> e.id().equals(String.valueOf(ok))).findFirst().orElseThrow();
        assertThat(success.name()).isEqualTo("succeeded");
        assertThat(success.data().getJsonObject("result").getInteger("n")).isEqualTo(1);
    }

    @Test
    void aBadQueueNameIsRefusedBeforeTheStream() {
        as(CLIENT).when().get("/queues/-starts-with-a-dash/outcomes").then().statusCode(422)
                .body("field", org.hamcrest.Matchers.equalTo("queue"));
    }

    private static void complete(Map<String, Object> job, Map<String, Object> result) {
        as(RUNNER).body(Map.of("leaseToken", token(job), "result", result)).when().post("/jobs/" + id(job) + "/complete")
                .then().statusCode(200);
    }

    private static void read(InputStream body, List<Event> events) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String name = null;
            List<String> data = new ArrayList<>();
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(new Event(id, name, new JsonObject(String.join("\n", data))));
                    }
                    id = null;
                    name = null;
                    data.clear();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).strip());
                }
            }
        } catch (java.io.IOException e) {
            // the test closed the stream
        }
    }
}
