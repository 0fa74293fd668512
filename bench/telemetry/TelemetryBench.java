import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ingest benchmark driver for telemetry-service: CONCURRENCY workers post batches of BATCH samples
 * (SOURCES distinct sources, FEATURES features, 5 % errors) to POST /samples as fast as answered,
 * WARMUP seconds unmeasured, then SECONDS measured. Prints offered, stored and dropped samples per
 * second and the batch latency p50/p99. Run: java TelemetryBench.java URL TOKEN CONCURRENCY BATCH
 * SOURCES WARMUP SECONDS.
 */
public class TelemetryBench {

    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\":(\\d+)");
    private static final Pattern DROPPED = Pattern.compile("\"dropped\":(\\d+)");

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0] + "/samples");
        String token = args[1];
        int concurrency = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int sources = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        int seconds = Integer.parseInt(args[6]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Prebuilt bodies (a few variants, so sources rotate); "at" is left to the service's clock.
        List<String> bodies = new ArrayList<>();
        for (int v = 0; v < 16; v++) {
            StringBuilder b = new StringBuilder(batch * 90).append("{\"samples\":[");
            for (int i = 0; i < batch; i++) {
                int n = v * batch + i;
                if (i > 0) {
                    b.append(',');
                }
                b.append("{\"source\":\"bench-").append(n % sources).append("\",\"feature\":\"job.f")
                        .append(n % 20).append("\",\"durationMs\":").append(1 + (n * 7919) % 500)
                        .append(n % 20 == 0 ? ",\"outcome\":\"error\"" : "").append('}');
            }
            bodies.add(b.append("]}").toString());
        }
        LongAdder stored = new LongAdder();
        LongAdder dropped = new LongAdder();
        LongAdder batches = new LongAdder();
        LongAdder failures = new LongAdder();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(warmup).toNanos();
        long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
        AtomicLong measuredStart = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            workers.submit(() -> {
                int k = worker;
                while (System.nanoTime() < end) {
                    String body = bodies.get(k++ % bodies.size());
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url)
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        if (t0 < measureFrom || t1 > end) {
                            continue;
                        }
                        if (r.statusCode() != 202) {
                            failures.increment();
                            continue;
                        }
                        Matcher a = ACCEPTED.matcher(r.body());
                        Matcher d = DROPPED.matcher(r.body());
                        stored.add(a.find() ? Long.parseLong(a.group(1)) : 0);
                        dropped.add(d.find() ? Long.parseLong(d.group(1)) : 0);
                        batches.increment();
                        latencies.add(t1 - t0);
                    } catch (Exception e) {
                        failures.increment();
                    }
                }
                return null;
            });
        }
        workers.shutdown();
        workers.awaitTermination(seconds + warmup + 60L, java.util.concurrent.TimeUnit.SECONDS);
        List<Long> sorted = new ArrayList<>(latencies);
        sorted.sort(null);
        double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99)) / 1e6;
        long offered = stored.sum() + dropped.sum();
        System.out.printf("at=%s concurrency=%d batch=%d sources=%d seconds=%d batches=%d failures=%d%n",
                Instant.now(), concurrency, batch, sources, seconds, batches.sum(), failures.sum());
        System.out.printf("offered/s=%.0f stored/s=%.0f dropped/s=%.0f batch_p50_ms=%.1f batch_p99_ms=%.1f%n",
                offered / (double) seconds, stored.sum() / (double) seconds, dropped.sum() / (double) seconds, p50, p99);
    }
}
