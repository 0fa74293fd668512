import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load driver of the live-channel benchmark (bench/channel/run.sh): a single-file program with no
 * dependencies, {@code java bench/channel/ChannelBench.java <phase> key=value ...}.
 *
 * <ul>
 * <li>{@code sessions pool= serial= concurrent= concurrency=}: {@code serial} sessions created one
 * at a time, then {@code concurrent} more with {@code concurrency} in flight, on the pool the
 * reference runner serves. Each waits (GET every {@code pollMs}) until the session reads running,
 * then its own {@code createdAt → startedAt} (both stamped by session-service) is the figure: the
 * path from the create's transaction to the runner's completion, independent of the poll.
 * <li>{@code jobs queue= serial= concurrent= concurrency= wait=long|poll pollMs=}: noop jobs enqueued
 * one at a time, then {@code concurrency} at a time; each producer waits for the result with
 * {@code GET /jobs/{id}?waitMs=} (long) or by polling {@code GET /jobs/{id}} every {@code pollMs}
 * (poll). The figure is enqueue request sent → finished job in the producer's hands.
 * </ul>
 * Prints one {@code RESULT key=value ...} line; every loop stops by count and by {@code timeout} (s).
 * Environment: CB_QUEUE_URL, CB_SESSION_URL, CB_CLIENT_TOKEN.
 */
public class ChannelBench {

    static final Pattern ID_UUID = Pattern.compile("\"target\":\"([0-9a-f-]{36})\"");
    static final Pattern ID_LONG = Pattern.compile("\"id\":(\\d+)");
    static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static String token;
    static long deadline;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            o.put(kv[0], kv[1]);
        }
        token = System.getenv("CB_CLIENT_TOKEN");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.getOrDefault("timeout", "300")));
        int serial = Integer.parseInt(o.getOrDefault("serial", "20"));
        int concurrent = Integer.parseInt(o.getOrDefault("concurrent", "40"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "8"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "3"));
        Task task = switch (args[0]) {
            case "sessions" -> sessionTask(System.getenv("CB_SESSION_URL"), o.get("pool"),
                    Long.parseLong(o.getOrDefault("pollMs", "50")));
            case "jobs" -> jobTask(System.getenv("CB_QUEUE_URL"), o.get("queue"), o.getOrDefault("wait", "long"),
                    Long.parseLong(o.getOrDefault("pollMs", "50")));
            default -> throw new IllegalArgumentException("phase sessions or jobs");
        };
        // Warmed at the measured concurrency, so the paths only concurrency takes (lock waits, fuller
        // batches) are compiled before anything is measured too.
        run(task, warmup, concurrency);
        List<Double> one = run(task, serial, 1);
        List<Double> many = run(task, concurrent, concurrency);
        System.out.println(String.format(Locale.ROOT, "RESULT phase=%s serial_n=%d serial_p50_ms=%.1f serial_p99_ms=%.1f"
                + " serial_max_ms=%.1f concurrent_n=%d concurrency=%d concurrent_p50_ms=%.1f concurrent_p99_ms=%.1f"
                + " concurrent_max_ms=%.1f", args[0], one.size(), pct(one, 50), pct(one, 99), pct(one, 100), many.size(),
                concurrency, pct(many, 50), pct(many, 99), pct(many, 100)));
    }

    interface Task {
        double run() throws Exception;
    }

    static List<Double> run(Task task, int n, int concurrency) throws Exception {
        List<Double> took = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> running = new ArrayList<>();
        int perWorker = n / concurrency;
        for (int w = 0; w < concurrency; w++) {
            running.add(pool.submit(() -> {
                for (int i = 0; i < perWorker && System.nanoTime() < deadline; i++) {
                    took.add(task.run());
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        pool.shutdownNow();
        return new ArrayList<>(took);
    }

    static Task sessionTask(String base, String pool, long pollMs) {
        String body = "{\"pool\":\"" + pool + "\",\"labels\":{},\"owner\":\"bench\",\"kind\":\"agent\"}";
        return () -> {
            HttpResponse<String> created = send("POST", base + "/sessions", body);
            if (created.statusCode() != 202) {
                throw new IllegalStateException("create answered " + created.statusCode() + ": " + created.body());
            }
            String session = find(ID_UUID, created.body());
            while (System.nanoTime() < deadline) {
                HttpResponse<String> now = send("GET", base + "/sessions/" + session, null);
                String state = find(STATE, now.body());
                if ("running".equals(state)) {
                    Instant createdAt = Instant.parse(find(Pattern.compile("\"createdAt\":\"([^\"]+)\""), now.body()));
                    Instant startedAt = Instant.parse(find(Pattern.compile("\"startedAt\":\"([^\"]+)\""), now.body()));
                    return Duration.between(createdAt, startedAt).toNanos() / 1e6;
                }
                if (!"starting".equals(state) && !"pending".equals(state)) {
                    throw new IllegalStateException("session " + session + " is " + state);
                }
                Thread.sleep(pollMs);
            }
            throw new IllegalStateException("deadline passed");
        };
    }

    static Task jobTask(String base, String queue, String wait, long pollMs) {
        return () -> {
            long t0 = System.nanoTime();
            HttpResponse<String> created = send("POST", base + "/queues/" + queue + "/jobs", "{\"kind\":\"noop\"}");
            if (created.statusCode() != 201) {
                throw new IllegalStateException("enqueue answered " + created.statusCode() + ": " + created.body());
            }
            String id = find(ID_LONG, created.body());
            while (System.nanoTime() < deadline) {
                HttpResponse<String> job = send("GET", base + "/jobs/" + id + ("long".equals(wait) ? "?waitMs=10000" : ""), null);
                String state = find(STATE, job.body());
                if ("succeeded".equals(state)) {
                    return (System.nanoTime() - t0) / 1e6;
                }
                if ("dead".equals(state) || "cancelled".equals(state)) {
                    throw new IllegalStateException("job " + id + " is " + state);
                }
                if (!"long".equals(wait)) {
                    Thread.sleep(pollMs);
                }
            }
            throw new IllegalStateException("deadline passed");
        };
    }

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(pattern + " not in " + text);
        }
        return m.group(1);
    }

    static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(sorted.size() * p / 100.0);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
