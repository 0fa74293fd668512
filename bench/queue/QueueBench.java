import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load driver of the queue-service benchmark (bench/queue/run.sh). A single-file program with no
 * dependencies: {@code java bench/queue/QueueBench.java <phase> key=value ...}.
 *
 * <p>Phases:
 * <ul>
 * <li>{@code enqueue}: {@code n} jobs in batches of {@code batch} by {@code clients} concurrent clients.
 * <li>{@code drain}: {@code claimers} claimers loop claim(max) → one POST /leases/complete, until
 * {@code n} jobs completed; with {@code producers>0} the same run also enqueues the {@code n} jobs
 * (concurrent producer), otherwise they must already be in the queue (backlog). Diagnostic:
 * {@code complete=none} only claims (jobs stay running), to tell the claim's cost from the completion's.
 * <li>{@code wake}: {@code waiters} claimers long-poll (waitMs=30000) an empty queue; the driver
 * enqueues one job at a time and times enqueue-sent → claim-response-with-that-job.
 * </ul>
 * Every phase prints one line {@code RESULT phase=... key=value ...} on stdout; progress and
 * errors go to stderr. Every loop stops by count and by the deadline {@code timeout} (seconds).
 *
 * <p>Environment: QB_URL (default http://127.0.0.1:18281), QB_CLIENT_TOKEN, QB_RUNNER_TOKEN.
 */
public class QueueBench {

    static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    static final Pattern LEASE = Pattern.compile("\"leaseToken\":\"([0-9a-fA-F-]{36})\"");
    static final Pattern CREATED = Pattern.compile("\"created\":true");
    static final Pattern OK = Pattern.compile("\"outcome\":\"ok\"");

    static String base;
    static String clientToken;
    static String runnerToken;
    static HttpClient http;
    static final AtomicInteger errors = new AtomicInteger();
    static final AtomicInteger non2xx = new AtomicInteger();
    static final ConcurrentHashMap<String, AtomicInteger> statusCounts = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: QueueBench <enqueue|drain|wake> key=value ...");
            System.exit(2);
        }
        var opts = new java.util.HashMap<String, String>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("bad argument (want key=value): " + args[i]);
                System.exit(2);
            }
            opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        base = System.getenv().getOrDefault("QB_URL", "http://127.0.0.1:18281");
        clientToken = System.getenv("QB_CLIENT_TOKEN");
        runnerToken = System.getenv("QB_RUNNER_TOKEN");
        if (clientToken == null || runnerToken == null) {
            System.err.println("QB_CLIENT_TOKEN and QB_RUNNER_TOKEN must be set");
            System.exit(2);
        }
        ExecutorService httpPool = Executors.newFixedThreadPool(2, daemon("http"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(httpPool).build();
        long cpu0 = cpuNanos();
        long[] snap0 = procSnap();
        String result = switch (args[0]) {
            case "enqueue" -> enqueue(opts);
            case "drain" -> drain(opts);
            case "wake" -> wake(opts);
            default -> {
                System.err.println("unknown phase " + args[0]);
                System.exit(2);
                yield null;
            }
        };
        double cpu = (cpuNanos() - cpu0) / 1e9;
        long[] snap1 = procSnap();
        StringBuilder codes = new StringBuilder();
        statusCounts.forEach((k, v) -> codes.append(codes.isEmpty() ? "" : ",").append(k).append(':').append(v));
        System.out.println("RESULT phase=" + args[0] + " " + result
                + String.format(Locale.ROOT, " driver_cpu_s=%.2f", cpu) + cpuReport(snap0, snap1)
                + String.format(Locale.ROOT, " errors=%d non2xx=%d", errors.get(), non2xx.get())
                + (codes.isEmpty() ? "" : " non2xx_codes=" + codes));
        System.out.flush();
        System.exit(0);
    }

    // ---- phases ----------------------------------------------------------------------------------

    /** Phase 1: n jobs in batches, c concurrent clients. */
    static String enqueue(java.util.Map<String, String> o) throws Exception {
        String queue = o.getOrDefault("queue", "bench-enqueue");
        int n = Integer.parseInt(o.getOrDefault("n", "50000"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "500"));
        int clients = Integer.parseInt(o.getOrDefault("clients", "4"));
        long deadline = deadline(o, 300);
        AtomicInteger created = new AtomicInteger();
        long t0 = System.nanoTime();
        Producer p = new Producer(queue, n, batch, created, deadline);
        ExecutorService pool = Executors.newFixedThreadPool(clients, daemon("producer"));
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            fs.add(pool.submit(p));
        }
        awaitAll(fs, deadline);
        long t1 = System.nanoTime();
        double s = (t1 - t0) / 1e9;
        pool.shutdownNow();
        return String.format(Locale.ROOT, "queue=%s n=%d created=%d batch=%d clients=%d seconds=%.3f rate=%.0f complete=%s",
                queue, n, created.get(), batch, clients, s, created.get() / s, created.get() == n);
    }

    /** Hands out batches of a fixed total to whichever producer thread asks next. */
    static final class Producer implements Runnable {
        final String queue;
        final int n;
        final int batch;
        final AtomicInteger created;
        final AtomicInteger next = new AtomicInteger();
        final long deadline;

        Producer(String queue, int n, int batch, AtomicInteger created, long deadline) {
            this.queue = queue;
            this.n = n;
            this.batch = batch;
            this.created = created;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            while (System.nanoTime() < deadline) {
                int from = next.getAndAdd(batch);
                if (from >= n) {
                    return;
                }
                int to = Math.min(n, from + batch);
                StringBuilder body = new StringBuilder(64 * (to - from) + 16).append("{\"jobs\":[");
                for (int i = from; i < to; i++) {
                    if (i > from) {
                        body.append(',');
                    }
                    body.append("{\"kind\":\"bench\",\"payload\":{\"n\":").append(i).append("},\"priority\":\"P3\"}");
                }
                body.append("]}");
                String answer = post("/queues/" + queue + "/jobs/batch", clientToken, body.toString(), 200, 60_000);
                if (answer != null) {
                    created.addAndGet(count(CREATED, answer));
                } else {
                    return; // a failed batch is not retried (no double enqueue); the count tells
                }
            }
        }
    }

    /** Phase 2 and 5: claim → batch complete loops until n jobs are done. */
    static String drain(java.util.Map<String, String> o) throws Exception {
        String queue = o.getOrDefault("queue", "bench-e2e");
        int n = Integer.parseInt(o.getOrDefault("n", "50000"));
        int claimers = Integer.parseInt(o.getOrDefault("claimers", "8"));
        int max = Integer.parseInt(o.getOrDefault("max", "100"));
        int waitMs = Integer.parseInt(o.getOrDefault("waitMs", "200"));
        int producers = Integer.parseInt(o.getOrDefault("producers", "0"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "500"));
        // complete=none (diagnostic): claim only, to tell the claim's cost from the completion's
        boolean complete = !"none".equals(o.getOrDefault("complete", "batch"));
        long deadline = deadline(o, 300);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger claims = new AtomicInteger();
        AtomicInteger emptyClaims = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        AtomicLong claimNanos = new AtomicLong();
        AtomicLong completeNanos = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong doneAt = new AtomicLong(); // when the n-th job was done: a straggling request does not count
        ExecutorService pool = Executors.newFixedThreadPool(claimers + producers, daemon("drain"));
        List<Future<?>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        AtomicLong producedAt = new AtomicLong();
        if (producers > 0) {
            Producer p = new Producer(queue, n, batch, created, deadline);
            AtomicInteger left = new AtomicInteger(producers);
            for (int i = 0; i < producers; i++) {
                fs.add(pool.submit(() -> {
                    p.run();
                    if (left.decrementAndGet() == 0) {
                        producedAt.set(System.nanoTime());
                    }
                }));
            }
        }
        for (int c = 0; c < claimers; c++) {
            String runner = "bench-r" + c;
            fs.add(pool.submit(() -> {
                String claimBody = "{\"runnerId\":\"" + runner + "\",\"max\":" + max + ",\"waitMs\":" + waitMs + "}";
                while (!done.get() && System.nanoTime() < deadline) {
                    long a = System.nanoTime();
                    String answer = post("/queues/" + queue + "/claim", runnerToken, claimBody, 200, waitMs + 30_000);
                    long b = System.nanoTime();
                    claimNanos.addAndGet(b - a);
                    claims.incrementAndGet();
                    if (answer == null) {
                        sleepMs(100);
                        continue;
                    }
                    List<String[]> jobs = leases(answer);
                    if (jobs.isEmpty()) {
                        emptyClaims.incrementAndGet();
                        continue;
                    }
                    if (claimed.addAndGet(jobs.size()) >= n && !complete && done.compareAndSet(false, true)) {
                        doneAt.set(System.nanoTime());
                    }
                    if (!complete) {
                        completed.addAndGet(jobs.size());
                        continue;
                    }
                    StringBuilder body = new StringBuilder(90 * jobs.size() + 16).append("{\"items\":[");
                    for (int i = 0; i < jobs.size(); i++) {
                        if (i > 0) {
                            body.append(',');
                        }
                        body.append("{\"jobId\":").append(jobs.get(i)[0]).append(",\"leaseToken\":\"")
                                .append(jobs.get(i)[1]).append("\",\"result\":{\"ok\":true}}");
                    }
                    body.append("]}");
                    String done2 = post("/leases/complete", runnerToken, body.toString(), 200, 60_000);
                    completeNanos.addAndGet(System.nanoTime() - b);
                    if (done2 != null && completed.addAndGet(count(OK, done2)) >= n && done.compareAndSet(false, true)) {
                        doneAt.set(System.nanoTime());
                    }
                }
            }));
        }
        awaitAll(fs, deadline);
        done.set(true);
        long t1 = doneAt.get() != 0 ? doneAt.get() : System.nanoTime();
        double straggle = (System.nanoTime() - t1) / 1e9;
        pool.shutdownNow();
        double s = (t1 - t0) / 1e9;
        int nClaims = Math.max(1, claims.get());
        int full = Math.max(1, claims.get() - emptyClaims.get());
        return String.format(Locale.ROOT,
                "queue=%s n=%d completed=%d claimed=%d created=%d producers=%d claimers=%d max=%d waitMs=%d seconds=%.3f"
                        + " rate=%.0f claims=%d empty_claims=%d avg_claim_ms=%.1f avg_complete_ms=%.1f jobs_per_claim=%.1f"
                        + " enqueue_done_s=%.3f straggle_s=%.3f complete=%s",
                queue, n, completed.get(), claimed.get(), created.get(), producers, claimers, max, waitMs, s,
                completed.get() / s, claims.get(), emptyClaims.get(), claimNanos.get() / 1e6 / nClaims,
                completeNanos.get() / 1e6 / full, claimed.get() / (double) full,
                producedAt.get() == 0 ? -1.0 : (producedAt.get() - t0) / 1e9, straggle, completed.get() >= n);
    }

    /** Phase 3: one job at a time into an empty queue with long-polling claimers waiting on it. */
    static String wake(java.util.Map<String, String> o) throws Exception {
        String queue = o.getOrDefault("queue", "bench-wake");
        int n = Integer.parseInt(o.getOrDefault("n", "300"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "50"));
        int waiters = Integer.parseInt(o.getOrDefault("waiters", "2"));
        int pauseMs = Integer.parseInt(o.getOrDefault("pauseMs", "20"));
        int perJobTimeoutMs = Integer.parseInt(o.getOrDefault("jobTimeoutMs", "5000"));
        long deadline = deadline(o, 120);
        ConcurrentHashMap<Long, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger polls = new AtomicInteger();
        AtomicInteger emptyPolls = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(waiters, daemon("waiter"));
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < waiters; w++) {
            String runner = "bench-wake-" + w;
            fs.add(pool.submit(() -> {
                String claimBody = "{\"runnerId\":\"" + runner + "\",\"max\":1,\"waitMs\":30000}";
                while (!stop.get() && System.nanoTime() < deadline) {
                    String answer = post("/queues/" + queue + "/claim", runnerToken, claimBody, 200, 40_000);
                    long at = System.nanoTime();
                    polls.incrementAndGet();
                    if (answer == null) {
                        sleepMs(100);
                        continue;
                    }
                    List<String[]> jobs = leases(answer);
                    if (jobs.isEmpty()) {
                        emptyPolls.incrementAndGet();
                        continue;
                    }
                    StringBuilder body = new StringBuilder("{\"items\":[");
                    for (int i = 0; i < jobs.size(); i++) {
                        arrivals.computeIfAbsent(Long.parseLong(jobs.get(i)[0]), k -> new CompletableFuture<>())
                                .complete(at);
                        body.append(i > 0 ? "," : "").append("{\"jobId\":").append(jobs.get(i)[0])
                                .append(",\"leaseToken\":\"").append(jobs.get(i)[1]).append("\"}");
                    }
                    post("/leases/complete", runnerToken, body.append("]}").toString(), 200, 30_000);
                }
            }));
        }
        sleepMs(1000); // let every waiter register before the first job
        double[] lat = new double[n];
        double[] enq = new double[n]; // enqueue sent -> its 201 (the claim can arrive before or after it)
        long[] at0 = new long[n];
        long phase0 = System.nanoTime();
        int measured = 0;
        int lost = 0;
        for (int i = 0; i < warmup + n && System.nanoTime() < deadline; i++) {
            long t0 = System.nanoTime();
            String answer = post("/queues/" + queue + "/jobs", clientToken,
                    "{\"kind\":\"wake\",\"payload\":{\"i\":" + i + "},\"priority\":\"P3\"}", 201, 30_000);
            if (answer == null) {
                continue;
            }
            Matcher m = ID.matcher(answer);
            if (!m.find()) {
                errors.incrementAndGet();
                continue;
            }
            long id = Long.parseLong(m.group(1));
            long answered = System.nanoTime();
            try {
                long at = arrivals.computeIfAbsent(id, k -> new CompletableFuture<>())
                        .get(perJobTimeoutMs, TimeUnit.MILLISECONDS);
                if (i >= warmup) {
                    enq[measured] = (answered - t0) / 1e6;
                    at0[measured] = t0 - phase0;
                    lat[measured++] = (at - t0) / 1e6;
                }
            } catch (TimeoutException e) {
                lost++;
                System.err.println("wake: job " + id + " not claimed within " + perJobTimeoutMs + " ms");
            }
            arrivals.remove(id);
            sleepMs(pauseMs);
        }
        // Wake the waiters with one job each so they see the stop flag, then leave.
        stop.set(true);
        StringBuilder wakeAll = new StringBuilder("{\"jobs\":[");
        for (int w = 0; w < waiters; w++) {
            wakeAll.append(w > 0 ? "," : "").append("{\"kind\":\"wake-stop\"}");
        }
        post("/queues/" + queue + "/jobs/batch", clientToken, wakeAll.append("]}").toString(), 200, 30_000);
        pool.shutdown();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            System.err.println("wake: waiters did not stop within 10 s");
        }
        // the slowest samples, with when they were sent (ms into the phase), to stderr for diagnosis
        Integer[] order = new Integer[measured];
        for (int i = 0; i < measured; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(lat[b], lat[a]));
        StringBuilder slow = new StringBuilder("wake: slowest samples (latency ms, enqueue-201 ms, sent at ms):");
        for (int i = 0; i < Math.min(8, measured); i++) {
            int k = order[i];
            slow.append(String.format(Locale.ROOT, " %.1f/%.1f@%d", lat[k], enq[k], at0[k] / 1_000_000));
        }
        System.err.println(slow);
        double[] e = Arrays.copyOf(enq, measured);
        Arrays.sort(e);
        double[] v = Arrays.copyOf(lat, measured);
        Arrays.sort(v);
        return String.format(Locale.ROOT,
                "queue=%s n=%d measured=%d lost=%d waiters=%d pause_ms=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f"
                        + " min_ms=%.2f mean_ms=%.2f enqueue_p50_ms=%.2f enqueue_p99_ms=%.2f polls=%d empty_polls=%d"
                        + " complete=%s",
                queue, n, measured, lost, waiters, pauseMs, pct(v, 50), pct(v, 90), pct(v, 99),
                v.length == 0 ? Double.NaN : v[v.length - 1], v.length == 0 ? Double.NaN : v[0],
                Arrays.stream(v).average().orElse(Double.NaN), pct(e, 50), pct(e, 99), polls.get(), emptyPolls.get(),
                measured == n);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** POSTs JSON; the body on the expected status, else null (counted and logged). */
    static String post(String path, String token, String body, int expect, long timeoutMs) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != expect) {
                non2xx.incrementAndGet();
                statusCounts.computeIfAbsent(String.valueOf(res.statusCode()), k -> new AtomicInteger()).incrementAndGet();
                if (non2xx.get() <= 5) {
                    String b = res.body();
                    System.err.println("POST " + path + " -> " + res.statusCode() + " (expected " + expect + "): "
                            + (b.length() > 400 ? b.substring(0, 400) + "..." : b));
                }
                return null;
            }
            return res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            if (errors.incrementAndGet() <= 5) {
                System.err.println("POST " + path + " failed: " + e);
            }
            return null;
        }
    }

    /** [id, leaseToken] per claimed job, in order (each job object has one "id" and one "leaseToken"). */
    static List<String[]> leases(String json) {
        List<String[]> out = new ArrayList<>();
        Matcher ids = ID.matcher(json);
        Matcher tokens = LEASE.matcher(json);
        while (ids.find()) {
            if (!tokens.find(ids.end())) {
                errors.incrementAndGet();
                break;
            }
            out.add(new String[] { ids.group(1), tokens.group(1) });
        }
        return out;
    }

    static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length); // nearest rank
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    static long deadline(java.util.Map<String, String> o, int defaultS) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.getOrDefault("timeout", "" + defaultS)));
    }

    static void awaitAll(List<Future<?>> fs, long deadline) {
        for (Future<?> f : fs) {
            long left = deadline - System.nanoTime();
            try {
                f.get(Math.max(1, left + TimeUnit.SECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                System.err.println("deadline reached: stopping");
                return;
            } catch (Exception e) {
                System.err.println("worker failed: " + e);
            }
        }
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /**
     * CPU ticks from /proc: {machine busy, machine total, service (QB_SERVICE_PID), PostgreSQL}.
     * PostgreSQL is every process named postgres, children's times included, so backends that
     * ended (reaped by the postmaster) still count. Zeros where /proc cannot be read.
     */
    static long[] procSnap() {
        long[] r = new long[4];
        try {
            String[] cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            long total = 0;
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                long v = Long.parseLong(cpu[i]);
                total += v;
                if (i != 4 && i != 5) { // idle, iowait
                    busy += v;
                }
            }
            r[0] = busy;
            r[1] = total;
            String svc = System.getenv("QB_SERVICE_PID");
            try (var dirs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
                for (var dir : dirs) {
                    String stat;
                    try {
                        stat = java.nio.file.Files.readString(dir.resolve("stat"));
                    } catch (Exception gone) {
                        continue;
                    }
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    // after the comm: f[0] is field 3 (state); utime 14, stime 15, cutime 16, cstime 17
                    long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    if (dir.getFileName().toString().equals(svc)) {
                        r[2] = own;
                    } else if (comm.equals("postgres")) {
                        r[3] += own + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                    }
                }
            }
        } catch (Exception e) {
            System.err.println("cannot read /proc: " + e);
        }
        return r;
    }

    static String cpuReport(long[] a, long[] b) {
        double hz = Double.parseDouble(System.getenv().getOrDefault("QB_CLK_TCK", "100"));
        return String.format(Locale.ROOT, " service_cpu_s=%.2f pg_cpu_s=%.2f machine_busy_pct=%.0f",
                (b[2] - a[2]) / hz, (b[3] - a[3]) / hz, b[1] > a[1] ? 100.0 * (b[0] - a[0]) / (b[1] - a[1]) : 0.0);
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
