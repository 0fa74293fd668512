package dev.fleet.session.event;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.restassured.RestAssured;

/**
 * A test's follow stream: a real HTTP connection read line by line on a background thread, the
 * received SSE events collected for the test to wait on. {@link #close()} hangs up, as a client
 * going away would.
 */
final class SseStream implements AutoCloseable {

    /** One received SSE event. */
    record Event(String id, String name, String data) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    final int status;
    final HttpResponse<Stream<String>> response;
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private final Thread reader;

    private SseStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.status = response.statusCode();
        this.reader = Thread.ofPlatform().daemon().name("sse-reader").start(this::read);
    }

    /** Opens {@code GET /sessions/{id}/events/stream?query} as admin, with extra headers. */
    static SseStream open(UUID session, String query, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                + "/sessions/" + session + "/events/stream" + (query.isEmpty() ? "" : "?" + query)))
                .header("Authorization", "Bearer " + EventTestData.ADMIN)
                .header("Accept", "text/event-stream")
                .GET();
        headers.forEach(request::header);
        try {
            return new SseStream(CLIENT.sendAsync(request.build(), BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("could not open the follow stream", e);
        }
    }

    static SseStream open(UUID session, String query) {
        return open(session, query, Map.of());
    }

    /** True once the server ended the response (or the connection went away). */
    boolean ended() {
        return ended;
    }

    /** The whole body, for a response that was not a stream (a problem); waits for its end. */
    String body() throws InterruptedException {
        reader.join(Duration.ofSeconds(30));
        return String.join("\n", lines);
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    List<Long> ids() {
        return events.stream().map(e -> Long.parseLong(e.id())).toList();
    }

    @Override
    public void close() {
        response.body().close();
    }

    private void read() {
        String id = null;
        String name = null;
        StringBuilder data = null;
        try (Stream<String> body = response.body()) {
            for (String line : (Iterable<String>) body::iterator) {
                lines.add(line);
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = null;
                    data = null;
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                value = value.startsWith(" ") ? value.substring(1) : value;
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { /* comments and retry: ignored */ }
                }
            }
        } catch (UncheckedIOException | IllegalStateException e) {
            // hung up by close(), or the connection was reset
        } finally {
            ended = true;
        }
    }
}
