import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load driver of the session-service benchmark (bench/session/run.sh). A single-file program with
 * no dependencies: {@code java bench/session/SessionBench.java <phase> key=value ...}.
 *
 * <p>Phases:
 * <ul>
 * <li>{@code heartbeat}: registers {@code runners} runners, then {@code concurrency} workers send
 * heartbeats round-robin over all of them as fast as they are answered: {@code warmup} seconds not
 * measured, then {@code seconds} measured. Deregisters the runners at the end.
 * <li>{@code events}: sequential {@code GET /sessions/{id}/events?limit=L} against each session of
 * {@code sessions=label:uuid:eventCount,...}, interleaved (A, B, A, B, ...), {@code warmup} rounds
 * not measured, then {@code n} rounds. Each answer must hold min(L, eventCount) events, the newest
 * being {@code seq = eventCount}.
 * <li>{@code lifecycle}: registers {@code runners} runners with {@code maxSessions} slots each (one
 * host per runner; a background thread heartbeats them every 2 s so they stay healthy), then
 * {@code concurrency} workers each loop: POST /sessions → POST /operations/{start}/complete with the
 * placed runner's token → GET /sessions/{id} (must read running). {@code warmup} sessions first (not
 * measured, stopped again), then {@code n} measured, then stops them (stop + complete); then
 * {@code serial} more one at a time (latency without queueing for the CPU), stopped likewise.
 * Deregisters the runners at the end.
 * </ul>
 * Every phase prints one line {@code RESULT phase=... key=value ...} on stdout; progress and errors
 * go to stderr. Every loop stops by count and by the deadline {@code timeout} (seconds).
 *
 * <p>Environment: SB_URL (default http://127.0.0.1:18182), SB_CLIENT_TOKEN, SB_RUNNER_TOKEN;
 * SB_SERVICE_PID and SB_CLK_TCK for the CPU figures.
 */
public class SessionBench {

    static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-fA-F-]{36})\"");
    static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    static final Pattern TARGET = Pattern.compile("\"target\":\"([0-9a-fA-F-]{36})\"");
    static final Pattern RUNNER_ID = Pattern.compile("\"runnerId\":\"([0-9a-fA-F-]{36})\"");
    static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    static String base;
    static String clientToken;
    static String runnerToken;
    static HttpClient http;
    static long deadline;
    static final AtomicInteger errors = new AtomicInteger();
    static final AtomicInteger unexpected = new AtomicInteger();
    static final ConcurrentHashMap<String, AtomicInteger> statusCounts = new ConcurrentHashMap<>();

    record Runner(String id, String token) {
    }

    record Res(int status, String body) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SessionBench <heartbeat|events|lifecycle> key=value ...");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("bad argument (want key=value): " + args[i]);
                System.exit(2);
            }
            opts.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        base = System.getenv().getOrDefault("SB_URL", "http://127.0.0.1:18182");
        clientToken = System.getenv("SB_CLIENT_TOKEN");
        runnerToken = System.getenv("SB_RUNNER_TOKEN");
        if (clientToken == null || runnerToken == null) {
            System.err.println("SB_CLIENT_TOKEN and SB_RUNNER_TOKEN must be set");
            System.exit(2);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout", "300")));
        ExecutorService httpPool = Executors.newFixedThreadPool(2, daemon("http"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(httpPool).build();
        String result = switch (args[0]) {
            case "heartbeat" -> heartbeat(opts);
            case "events" -> events(opts);
            case "lifecycle" -> lifecycle(opts);
            default -> {
                System.err.println("unknown phase " + args[0]);
                System.exit(2);
                yield null;
            }
        };
        StringBuilder codes = new StringBuilder();
        statusCounts.forEach((k, v) -> codes.append(codes.isEmpty() ? "" : ",").append(k).append(':').append(v));
        System.out.println("RESULT phase=" + args[0] + " " + result
                + String.format(Locale.ROOT, " errors=%d unexpected=%d", errors.get(), unexpected.get())
                + (codes.isEmpty() ? "" : " unexpected_codes=" + codes));
        System.out.flush();
        System.exit(0);
    }

    // ---- heartbeat ------------------------------------------------------------------------------

    static String heartbeat(Map<String, String> o) throws Exception {
        int nRunners = intOpt(o, "runners", 1000);
        int concurrency = intOpt(o, "concurrency", 32);
        int warmupS = intOpt(o, "warmup", 10);
        int seconds = intOpt(o, "seconds", 20);
        String pool = o.getOrDefault("pool", "bench-hb");

        long r0 = System.nanoTime();
        List<Runner> runners = register(pool, nRunners, 1, "bench-hb-host-", 8);
        double registerS = (System.nanoTime() - r0) / 1e9;
        if (runners.size() < nRunners) {
            System.err.println("heartbeat: only " + runners.size() + " of " + nRunners + " runners registered");
        }
        if (runners.isEmpty()) {
            return "registered=0 complete=false";
        }
        System.err.printf(Locale.ROOT, "heartbeat: %d runners registered in %.1f s; %d s warm-up, %d s measured, %d in flight%n",
                runners.size(), registerS, warmupS, seconds, concurrency);

        String[] bodies = new String[runners.size()];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = String.format(Locale.ROOT, "{\"cpuPercent\":%.1f,\"memoryPercent\":%.1f,\"activeSessions\":%d,"
                    + "\"activeConnections\":%d,\"avgResponseMs\":%.1f,\"avgThinkingMs\":%.1f,\"queueDepth\":%d}",
                    10.0 + i % 50, 20.0 + i % 40, i % 3, i % 7, 40.0 + i % 30, 900.0 + i % 200, i % 4);
        }
        AtomicLong next = new AtomicLong();
        AtomicInteger notHealthy = new AtomicInteger();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupS);
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLongArray perSecond = new AtomicLongArray(seconds + 1);
        List<long[]> samples = new ArrayList<>();
        ExecutorService pool2 = Executors.newFixedThreadPool(concurrency, daemon("beat"));
        List<Future<long[]>> fs = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            fs.add(pool2.submit(() -> {
                long[] lat = new long[4096];
                int n = 0;
                while (true) {
                    long a = System.nanoTime();
                    if (a >= measureTo || a >= deadline) {
                        break;
                    }
                    int k = (int) (next.getAndIncrement() % runners.size());
                    Runner r = runners.get(k);
                    Res res = call("POST", "/runners/" + r.id() + "/heartbeat", runnerToken, r.token(), bodies[k], 200, 30_000);
                    long b = System.nanoTime();
                    if (res != null && !res.body().contains("\"health\":\"healthy\"")) {
                        notHealthy.incrementAndGet();
                    }
                    if (res != null && a >= measureFrom && b <= measureTo) {
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = b - a;
                        perSecond.incrementAndGet((int) ((b - measureFrom) / 1_000_000_000L));
                    }
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        Cpu cpu0 = null;
        sleepUntil(measureFrom);
        cpu0 = Cpu.now();
        sleepUntil(measureTo);
        Cpu cpu1 = Cpu.now();
        for (Future<long[]> f : fs) {
            try {
                samples.add(f.get(60, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                System.err.println("heartbeat: a worker did not stop");
            }
        }
        pool2.shutdownNow();
        long total = 0;
        for (long[] s : samples) {
            total += s.length;
        }
        double[] v = new double[(int) total];
        int i = 0;
        for (long[] s : samples) {
            for (long x : s) {
                v[i++] = x / 1e6;
            }
        }
        Arrays.sort(v);
        StringBuilder ps = new StringBuilder();
        long minS = Long.MAX_VALUE;
        long maxS = 0;
        for (int s = 0; s < seconds; s++) {
            long c = perSecond.get(s);
            ps.append(s == 0 ? "" : ",").append(c);
            minS = Math.min(minS, c);
            maxS = Math.max(maxS, c);
        }
        System.err.println("heartbeat: completions per second: " + ps);
        long d0 = System.nanoTime();
        int deregistered = deregister(runners, 8);
        System.err.printf(Locale.ROOT, "heartbeat: deregistered %d runners in %.1f s%n", deregistered, (System.nanoTime() - d0) / 1e9);
        return String.format(Locale.ROOT,
                "runners=%d concurrency=%d warmup_s=%d seconds=%d register_s=%.2f heartbeats=%d rate=%.0f"
                        + " min_per_s=%d max_per_s=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f"
                        + " not_healthy=%d deregistered=%d%s",
                runners.size(), concurrency, warmupS, seconds, registerS, total, total / (double) seconds, minS, maxS,
                pct(v, 50), pct(v, 90), pct(v, 99), max(v), mean(v), notHealthy.get(), deregistered, cpu0.report(cpu1));
    }

    // ---- events tail ----------------------------------------------------------------------------

    static String events(Map<String, String> o) throws Exception {
        int n = intOpt(o, "n", 2000);
        int warmup = intOpt(o, "warmup", 300);
        int limit = intOpt(o, "limit", 100);
        String[] specs = o.getOrDefault("sessions", "").split(",");
        int k = specs.length;
        String[] labels = new String[k];
        String[] paths = new String[k];
        long[] counts = new long[k];
        for (int j = 0; j < k; j++) {
            String[] p = specs[j].split(":");
            if (p.length != 3) {
                System.err.println("sessions=label:uuid:events,... expected, got " + specs[j]);
                System.exit(2);
            }
            labels[j] = p[0];
            paths[j] = "/sessions/" + p[1] + "/events?limit=" + limit;
            counts[j] = Long.parseLong(p[2]);
        }
        double[][] lat = new double[k][n];
        long[][] when = new long[k][n]; // ms into the measured rounds, for the slowest samples
        long measureStart = 0;
        int[] bad = new int[k];
        int measured = 0;
        Cpu cpu0 = null;
        for (int round = 0; round < warmup + n && System.nanoTime() < deadline; round++) {
            if (round == warmup) {
                cpu0 = Cpu.now();
                measureStart = System.nanoTime();
            }
            for (int j = 0; j < k; j++) {
                long a = System.nanoTime();
                Res res = call("GET", paths[j], clientToken, null, null, 200, 30_000);
                long b = System.nanoTime();
                if (res != null && !checkTail(res.body(), counts[j], limit)) {
                    if (bad[j]++ < 3) {
                        String body = res.body();
                        System.err.println("events: unexpected answer for " + labels[j] + ": "
                                + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
                    }
                }
                if (round >= warmup) {
                    // a failed request is counted (errors, unexpected) and its time left out
                    lat[j][round - warmup] = res == null ? Double.NaN : (b - a) / 1e6;
                    when[j][round - warmup] = (a - measureStart) / 1_000_000;
                }
            }
            if (round >= warmup) {
                measured++;
            }
        }
        if (cpu0 == null) {
            cpu0 = Cpu.now();
        }
        Cpu cpu1 = Cpu.now();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "limit=%d warmup=%d measured=%d", limit, warmup, measured));
        // {label}_ok: answers timed (status 200); {label}_bad: of those, not the expected newest events
        double[] p99 = new double[k];
        for (int j = 0; j < k; j++) {
            double[] v = Arrays.stream(lat[j], 0, measured).filter(x -> !Double.isNaN(x)).sorted().toArray();
            Integer[] order = new Integer[measured];
            for (int i = 0; i < measured; i++) {
                order[i] = i;
            }
            final double[] l = lat[j];
            Arrays.sort(order, (x, y) -> Double.compare(Double.isNaN(l[y]) ? -1 : l[y], Double.isNaN(l[x]) ? -1 : l[x]));
            StringBuilder slow = new StringBuilder("events: " + labels[j] + " slowest (ms @ ms into the run):");
            for (int i = 0; i < Math.min(12, measured); i++) {
                slow.append(String.format(Locale.ROOT, " %.1f@%d", l[order[i]], when[j][order[i]]));
            }
            System.err.println(slow);
            p99[j] = pct(v, 99);
            out.append(String.format(Locale.ROOT,
                    " %s_ok=%d %s_events=%d %s_p50_ms=%.3f %s_p95_ms=%.3f %s_p99_ms=%.3f %s_max_ms=%.3f %s_mean_ms=%.3f %s_bad=%d",
                    labels[j], v.length, labels[j], counts[j], labels[j], pct(v, 50), labels[j], pct(v, 95), labels[j], p99[j], labels[j], max(v),
                    labels[j], mean(v), labels[j], bad[j]));
        }
        if (k >= 2) {
            out.append(String.format(Locale.ROOT, " p99_ratio=%.2f", p99[k - 1] / p99[0]));
        }
        return out.append(cpu0.report(cpu1)).toString();
    }

    /** The answer holds min(limit, events) events and the newest one, seq = events. */
    static boolean checkTail(String body, long events, int limit) {
        Matcher m = SEQ.matcher(body);
        int n = 0;
        long maxSeq = -1;
        while (m.find()) {
            n++;
            maxSeq = Math.max(maxSeq, Long.parseLong(m.group(1)));
        }
        return n == Math.min(limit, events) && maxSeq == events;
    }

    // ---- create → running -----------------------------------------------------------------------

    record Started(String session, String runner) {
    }

    static String lifecycle(Map<String, String> o) throws Exception {
        int nRunners = intOpt(o, "runners", 20);
        int maxSessions = intOpt(o, "maxSessions", 50);
        int n = intOpt(o, "n", 500);
        int warmup = intOpt(o, "warmup", 50);
        int concurrency = intOpt(o, "concurrency", 8);
        int serial = intOpt(o, "serial", 100);
        String pool = o.getOrDefault("pool", "bench-start");

        List<Runner> runners = register(pool, nRunners, maxSessions, "bench-start-host-", 4);
        if (runners.size() < nRunners) {
            System.err.println("lifecycle: only " + runners.size() + " of " + nRunners + " runners registered");
        }
        Map<String, String> tokens = new HashMap<>();
        for (Runner r : runners) {
            tokens.put(r.id(), r.token());
        }
        // keep them healthy: a heartbeat each every 2 s (silence makes a runner degraded after 15 s)
        AtomicBoolean beating = new AtomicBoolean(true);
        Thread beater = new Thread(() -> {
            while (beating.get() && System.nanoTime() < deadline) {
                for (Runner r : runners) {
                    call("POST", "/runners/" + r.id() + "/heartbeat", runnerToken, r.token(),
                            "{\"cpuPercent\":20.0,\"memoryPercent\":30.0}", 200, 10_000);
                }
                sleepMs(2000);
            }
        }, "beater");
        beater.setDaemon(true);
        beater.start();

        System.err.printf(Locale.ROOT, "lifecycle: %d runners x %d slots; %d warm-up sessions, then %d measured, %d at a time%n",
                runners.size(), maxSessions, warmup, n, concurrency);
        Stage w = startSessions(pool, warmup, concurrency, tokens);
        Stage ws = stopSessions(w.started, concurrency, tokens);
        System.err.printf(Locale.ROOT, "lifecycle: warm-up %d started, %d stopped%n", w.started.size(), ws.ok);

        Cpu cpu0 = Cpu.now();
        long t0 = System.nanoTime();
        Stage m = startSessions(pool, n, concurrency, tokens);
        double s = (System.nanoTime() - t0) / 1e9;
        Cpu cpu1 = Cpu.now();

        long s0 = System.nanoTime();
        Stage st = stopSessions(m.started, concurrency, tokens);
        double stopS = (System.nanoTime() - s0) / 1e9;
        // the same one at a time: the latency without queueing behind the other 7 for the 2 cores
        Stage one = startSessions(pool, serial, 1, tokens);
        Stage oneStop = stopSessions(one.started, concurrency, tokens);
        beating.set(false);
        beater.join(15_000);
        int deregistered = deregister(runners, 4);
        double[] total = sorted(m.total);
        double[] create = sorted(m.a);
        double[] complete = sorted(m.b);
        double[] get = sorted(m.c);
        double[] stopTotal = sorted(st.total);
        double[] oneTotal = sorted(one.total);
        double[] oneCreate = sorted(one.a);
        double[] oneComplete = sorted(one.b);
        double[] oneGet = sorted(one.c);
        return String.format(Locale.ROOT,
                "runners=%d max_sessions=%d n=%d warmup=%d concurrency=%d running=%d not_running=%d seconds=%.3f rate=%.1f"
                        + " p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f"
                        + " create_p50_ms=%.2f create_p99_ms=%.2f complete_p50_ms=%.2f complete_p99_ms=%.2f"
                        + " get_p50_ms=%.2f get_p99_ms=%.2f refused=%d stopped=%d stop_seconds=%.3f stop_p50_ms=%.2f"
                        + " stop_p99_ms=%.2f serial=%d serial_running=%d serial_p50_ms=%.2f serial_p99_ms=%.2f serial_max_ms=%.2f"
                        + " serial_create_p50_ms=%.2f serial_complete_p50_ms=%.2f serial_get_p50_ms=%.2f serial_stopped=%d"
                        + " deregistered=%d complete=%s%s",
                runners.size(), maxSessions, n, warmup, concurrency, m.ok, m.notRunning, s, m.ok / s,
                pct(total, 50), pct(total, 90), pct(total, 99), max(total), mean(total),
                pct(create, 50), pct(create, 99), pct(complete, 50), pct(complete, 99), pct(get, 50), pct(get, 99),
                m.refused, st.ok, stopS, pct(stopTotal, 50), pct(stopTotal, 99), serial, one.ok, pct(oneTotal, 50),
                pct(oneTotal, 99), max(oneTotal), pct(oneCreate, 50), pct(oneComplete, 50), pct(oneGet, 50), oneStop.ok,
                deregistered, m.ok == n,
                cpu0.report(cpu1));
    }

    /** What a stage of the lifecycle phase did: per-step latencies (ms) of the sessions that made it. */
    static final class Stage {
        final List<Started> started = new ArrayList<>();
        final List<Double> total = new ArrayList<>();
        final List<Double> a = new ArrayList<>();
        final List<Double> b = new ArrayList<>();
        final List<Double> c = new ArrayList<>();
        int ok;
        int notRunning;
        int refused;

        synchronized void add(Started st, double tot, double x, double y, double z) {
            if (st != null) {
                started.add(st);
            }
            total.add(tot);
            a.add(x);
            b.add(y);
            c.add(z);
            ok++;
        }
    }

    /** count sessions: create → complete the start operation as its runner → read it running. */
    static Stage startSessions(String pool, int count, int concurrency, Map<String, String> tokens) throws Exception {
        Stage stage = new Stage();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger notRunning = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        String body = "{\"pool\":\"" + pool + "\",\"labels\":{},\"owner\":\"bench\",\"kind\":\"agent\"}";
        runWorkers(concurrency, () -> {
            while (next.getAndIncrement() < count && System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                Res created = call("POST", "/sessions", clientToken, null, body, 202, 30_000);
                long t1 = System.nanoTime();
                if (created == null) {
                    refused.incrementAndGet();
                    continue;
                }
                String op = group(ID, created.body());
                String session = group(TARGET, created.body());
                String runner = group(RUNNER_ID, created.body());
                if (op == null || session == null || runner == null || !tokens.containsKey(runner)) {
                    errors.incrementAndGet();
                    System.err.println("lifecycle: unexpected create answer: " + created.body());
                    continue;
                }
                Res done = call("POST", "/operations/" + op + "/complete", runnerToken, tokens.get(runner), "{}", 200, 30_000);
                long t2 = System.nanoTime();
                if (done == null || !done.body().contains("\"done\":true")) {
                    errors.incrementAndGet();
                    continue;
                }
                Res read = call("GET", "/sessions/" + session, clientToken, null, null, 200, 30_000);
                long t3 = System.nanoTime();
                if (read == null || !read.body().contains("\"state\":\"running\"")) {
                    if (notRunning.incrementAndGet() <= 3 && read != null) {
                        System.err.println("lifecycle: session not running after its start completed: " + read.body());
                    }
                    continue;
                }
                stage.add(new Started(session, runner), (t3 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
            }
        });
        stage.notRunning = notRunning.get();
        stage.refused = refused.get();
        return stage;
    }

    /** Stops each session (POST /sessions/{id}/stop) and completes the stop as its runner. */
    static Stage stopSessions(List<Started> sessions, int concurrency, Map<String, String> tokens) throws Exception {
        Stage stage = new Stage();
        AtomicInteger next = new AtomicInteger();
        runWorkers(concurrency, () -> {
            int i;
            while ((i = next.getAndIncrement()) < sessions.size() && System.nanoTime() < deadline) {
                Started s = sessions.get(i);
                long t0 = System.nanoTime();
                Res stop = call("POST", "/sessions/" + s.session() + "/stop", clientToken, null, "", 202, 30_000);
                String op = stop == null ? null : group(ID, stop.body());
                if (op == null) {
                    continue;
                }
                Res done = call("POST", "/operations/" + op + "/complete", runnerToken, tokens.get(s.runner()), "{}", 200, 30_000);
                if (done == null || !done.body().contains("\"done\":true")) {
                    errors.incrementAndGet();
                    continue;
                }
                stage.add(null, (System.nanoTime() - t0) / 1e6, 0, 0, 0);
            }
        });
        return stage;
    }

    // ---- runners --------------------------------------------------------------------------------

    static List<Runner> register(String pool, int n, int maxSessions, String hostPrefix, int concurrency) throws Exception {
        Runner[] out = new Runner[n];
        AtomicInteger next = new AtomicInteger();
        runWorkers(concurrency, () -> {
            int i;
            while ((i = next.getAndIncrement()) < n && System.nanoTime() < deadline) {
                String body = "{\"pool\":\"" + pool + "\",\"endpoint\":\"http://127.0.0.1:" + (9001 + i % 1000)
                        + "\",\"host\":\"" + hostPrefix + i + "\",\"maxSessions\":" + maxSessions
                        + ",\"labels\":{},\"version\":\"bench\"}";
                Res res = call("POST", "/runners", runnerToken, null, body, 201, 30_000);
                if (res == null) {
                    continue;
                }
                String id = group(ID, res.body());
                String token = group(TOKEN, res.body());
                if (id == null || token == null) {
                    errors.incrementAndGet();
                    continue;
                }
                out[i] = new Runner(id, token);
            }
        });
        List<Runner> list = new ArrayList<>(n);
        for (Runner r : out) {
            if (r != null) {
                list.add(r);
            }
        }
        return list;
    }

    static int deregister(List<Runner> runners, int concurrency) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        runWorkers(concurrency, () -> {
            int i;
            while ((i = next.getAndIncrement()) < runners.size() && System.nanoTime() < until) {
                Runner r = runners.get(i);
                if (call("DELETE", "/runners/" + r.id(), runnerToken, r.token(), null, 200, 30_000) != null) {
                    ok.incrementAndGet();
                }
            }
        });
        return ok.get();
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** One request; the answer on the expected status, else null (counted, the first few logged). */
    static Res call(String method, String path, String bearer, String runnerTok, String body, int expect, long timeoutMs) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Authorization", "Bearer " + bearer)
                .header("Accept", "application/json");
        if (runnerTok != null) {
            b.header("X-Runner-Token", runnerTok);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != expect) {
                statusCounts.computeIfAbsent(res.statusCode() + "", k -> new AtomicInteger()).incrementAndGet();
                if (unexpected.incrementAndGet() <= 5) {
                    String s = res.body();
                    System.err.println(method + " " + path + " -> " + res.statusCode() + " (expected " + expect + "): "
                            + (s.length() > 400 ? s.substring(0, 400) + "..." : s));
                }
                return null;
            }
            return new Res(res.statusCode(), res.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            if (errors.incrementAndGet() <= 5) {
                System.err.println(method + " " + path + " failed: " + e);
            }
            return null;
        }
    }

    static void runWorkers(int n, Runnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n, daemon("worker"));
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(work));
        }
        for (Future<?> f : fs) {
            long left = deadline - System.nanoTime();
            try {
                f.get(Math.max(1, left) + TimeUnit.SECONDS.toNanos(35), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                System.err.println("deadline reached: stopping");
                break;
            } catch (Exception e) {
                System.err.println("worker failed: " + e);
            }
        }
        pool.shutdownNow();
    }

    static String group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }

    static int intOpt(Map<String, String> o, String key, int dflt) {
        return Integer.parseInt(o.getOrDefault(key, "" + dflt));
    }

    static double[] sorted(List<Double> l) {
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = l.get(i);
        }
        Arrays.sort(v);
        return v;
    }

    /** Nearest-rank percentile of a sorted array. */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            sleepMs(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * CPU of the measured window, from /proc: the machine (busy, total ticks), the service
     * (SB_SERVICE_PID), PostgreSQL (every process named postgres, with its reaped children) and
     * this driver (its own process CPU time).
     */
    record Cpu(long busy, long total, long service, long pg, long driverNanos) {

        static Cpu now() {
            long busy = 0;
            long total = 0;
            long svc = 0;
            long pg = 0;
            try {
                String[] cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    long v = Long.parseLong(cpu[i]);
                    total += v;
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += v;
                    }
                }
                String svcPid = System.getenv("SB_SERVICE_PID");
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
                        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                        if (dir.getFileName().toString().equals(svcPid)) {
                            svc = own;
                        } else if (comm.equals("postgres")) {
                            pg += own + Long.parseLong(f[13]) + Long.parseLong(f[14]); // + cutime, cstime
                        }
                    }
                }
            } catch (Exception e) {
                System.err.println("cannot read /proc: " + e);
            }
            long driver = 0;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                driver = os.getProcessCpuTime();
            }
            return new Cpu(busy, total, svc, pg, driver);
        }

        String report(Cpu after) {
            double hz = Double.parseDouble(System.getenv().getOrDefault("SB_CLK_TCK", "100"));
            return String.format(Locale.ROOT, " service_cpu_s=%.2f pg_cpu_s=%.2f driver_cpu_s=%.2f machine_busy_pct=%.0f",
                    (after.service - service) / hz, (after.pg - pg) / hz, (after.driverNanos - driverNanos) / 1e9,
                    after.total > total ? 100.0 * (after.busy - busy) / (after.total - total) : 0.0);
        }
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
