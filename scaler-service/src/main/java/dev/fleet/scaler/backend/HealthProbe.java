package dev.fleet.scaler.backend;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Readiness of a backend's instances: {@code GET <url>} answering 200, all probed at once within one timeout. */
public final class HealthProbe {

    private final HttpClient http;
    private final Duration timeout;

    public HealthProbe(Duration timeout) {
        this.timeout = timeout;
        // HTTP/1.1: a plain-HTTP probe with an h2c upgrade offer confuses some small servers.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** For each URL, in order, whether it answered 200 in time. */
    public List<Boolean> probe(List<URI> urls) {
        List<CompletableFuture<Boolean>> probes = new ArrayList<>();
        for (URI url : urls) {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
            probes.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .thenApply(response -> response.statusCode() == 200).exceptionally(e -> false));
        }
        Instant deadline = Instant.now().plus(timeout).plusMillis(200);
        List<Boolean> ready = new ArrayList<>(probes.size());
        for (CompletableFuture<Boolean> probe : probes) {
            try {
                long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
                ready.add(probe.get(left, TimeUnit.MILLISECONDS));
            } catch (TimeoutException | ExecutionException e) {
                probe.cancel(true);
                ready.add(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while probing instances", true, e);
            }
        }
        return ready;
    }

    /** How many of the URLs answered 200 in time. */
    public int countReady(List<URI> urls) {
        return (int) probe(urls).stream().filter(Boolean::booleanValue).count();
    }
}
