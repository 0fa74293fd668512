import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Driver of the scaler-service benchmark (bench/scaler/run.sh). A single-file program with no
 * dependencies beyond the JDK and scaler-service's classes, which phase {@code policy} calls (the
 * source launcher compiles the whole file, so every phase needs them on the class path:
 * {@code java -cp <scaler-service jar or target/classes> bench/scaler/ScalerBench.java <phase> ...}).
 *
 * <p>Phases:
 * <ul>
 * <li>{@code react}: one pool ({@code pool}) of the process backend at 0 instances, queue target 1
 * job per instance, no damping. {@code warmup} + {@code n} times: enqueue one job (time taken just
 * before sending and just after the 201) → wait until the pool's newest event is that scale-out
 * with outcome ok → read its {@code at} (the decision) and {@code completedAt} (backend call
 * done) and the instance's own start stamp (the last line of {@code stamps}, written by
 * bench/scaler/instance.sh) → claim and complete the job → wait until the scale-in to 0 is ok.
 * <li>{@code busy}: the same pool shape, but its instance ignores SIGTERM, so a scale-in's
 * backend call lasts the pool's whole grace. {@code n} times: take the job away → wait until the
 * scale-in is recorded (outcome pending: its call is running) → enqueue one job → wait for the
 * scale-out. Shows what an enqueue during a running backend call waits for.
 * <li>{@code pools}: creates {@code n} queues in queue-service ({@code PUT /queues/{name}}) and
 * {@code n} dry-run pools in the scaler ({@code PUT /pools/{name}}), {@code concurrency} at a time.
 * <li>{@code policy}: the pure decision core, no service: {@code pools} policies (default threshold
 * rules + queue target), each with {@code minutes} of samples every {@code stepSeconds} of cpu,
 * queueDepth and inFlight and a few past decisions; times {@code PolicyEvaluator.evaluate} for all
 * pools, {@code warmup} rounds not measured, then {@code rounds} measured.
 * </ul>
 * Every phase prints one line {@code RESULT phase=... key=value ...} on stdout; progress and errors
 * go to stderr. Every loop stops by count and by the deadline {@code timeout} (seconds).
 *
 * <p>Environment: SCB_QUEUE_URL, SCB_SCALER_URL, SCB_ADMIN_TOKEN, SCB_CLIENT_TOKEN, SCB_RUNNER_TOKEN
 * (not needed by {@code policy}).
 */
public class ScalerBench {

    static final Pattern ID_NUM = Pattern.compile("\"id\":(\\d+)");
    static final Pattern LEASE = Pattern.compile("\"leaseToken\":\"([^\"]+)\"");
    static final Pattern EVENT = Pattern.compile("\\{\"id\":(\\d+),\"pool\":\"[^\"]*\",\"at\":\"([^\"]+)\"[^{]*?\"kind\":\"([^\"]+)\""
            + ",\"rule\":\"([^\"]+)\"");
    static final Pattern INSTANCES = Pattern.compile("\"instances\":(\\d+)");

    static String queueUrl;
    static String scalerUrl;
    static String adminToken;
    static String clientToken;
    static String runnerToken;
    static HttpClient http;
    static long deadline;
    static final AtomicInteger errors = new AtomicInteger();
    static final AtomicInteger unexpected = new AtomicInteger();
    static final ConcurrentHashMap<String, AtomicInteger> statusCounts = new ConcurrentHashMap<>();

    record Res(int status, String body) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ScalerBench <react|busy|pools|policy> key=value ...");
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
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opts.getOrDefault("timeout", "600")));
        if (!args[0].equals("policy")) {
            queueUrl = env("SCB_QUEUE_URL");
            scalerUrl = env("SCB_SCALER_URL");
            adminToken = env("SCB_ADMIN_TOKEN");
            clientToken = env("SCB_CLIENT_TOKEN");
            runnerToken = env("SCB_RUNNER_TOKEN");
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(2, daemon("http")))
                    .build();
        }
        String result = switch (args[0]) {
            case "react" -> react(opts);
            case "busy" -> busy(opts);
            case "pools" -> pools(opts);
            case "policy" -> PolicyRounds.run(opts);
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

    static String env(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            System.err.println(name + " must be set");
            System.exit(2);
        }
        return v;
    }

    // ---- react ----------------------------------------------------------------------------------

    /** One recorded scaling event, as far as the benchmark reads it. */
    record Event(long id, Instant at, String kind, String rule, String outcome, Instant completedAt, String body) {
    }

    static String react(Map<String, String> o) throws Exception {
        String pool = o.getOrDefault("pool", "bench-react");
        int n = intOpt(o, "n", 100);
        int warmup = intOpt(o, "warmup", 5);
        // A random pause before each enqueue: every iteration lasts one round period (the scale-in
        // waits for the round), so a fixed pause would always enqueue at the same phase of the round.
        String[] pause = o.getOrDefault("pauseMs", "100-3000").split("-");
        long pauseMin = Long.parseLong(pause[0]);
        long pauseMax = Long.parseLong(pause[pause.length - 1]);
        Random rnd = new Random(7);
        long pollMs = intOpt(o, "pollMs", 20);
        Path stamps = Path.of(o.getOrDefault("stamps", "scaler-stamps.txt"));

        List<Double> decision = new ArrayList<>(); // enqueue sent → event at (the decision)
        List<Double> started = new ArrayList<>(); // enqueue sent → the instance's own start stamp
        List<Double> completed = new ArrayList<>(); // enqueue sent → event completedAt (call returned)
        List<Double> enqueueRtt = new ArrayList<>(); // enqueue sent → 201 received
        List<Double> decisionAfter201 = new ArrayList<>(); // 201 received → event at
        List<Double> startAfterDecision = new ArrayList<>(); // event at → the instance's start stamp
        List<Double> scaleInWait = new ArrayList<>(); // job completed → scale-in decision
        List<Double> scaleInCall = new ArrayList<>(); // scale-in at → completedAt
        Map<String, Integer> rules = new TreeMap<>();
        int bad = 0;
        int done = 0;
        long firstMeasured = 0;
        long lastMeasured = 0;
        Cpu cpu0 = null;
        for (int i = 0; i < warmup + n && System.nanoTime() < deadline; i++) {
            boolean measure = i >= warmup;
            if (i == warmup) {
                cpu0 = Cpu.now();
                firstMeasured = System.nanoTime();
            }
            Event last = newest(pool);
            if (last != null && !(last.kind().equals("scale-in") && last.outcome().equals("ok"))) {
                System.err.println("react: pool " + pool + " is not at rest before iteration " + i + ": " + last.body());
                bad++;
                break;
            }
            sleepMs(pauseMin + (pauseMax > pauseMin ? (long) (rnd.nextDouble() * (pauseMax - pauseMin)) : 0));
            int stampLines = lines(stamps).size();
            Instant send = Instant.now();
            Res job = call("POST", queueUrl + "/queues/" + enc(pool) + "/jobs", clientToken,
                    "{\"kind\":\"bench-scale\",\"payload\":{\"i\":" + i + "}}", 201, 10_000);
            Instant got201 = Instant.now();
            if (job == null) {
                bad++;
                break;
            }
            Event out = awaitEvent(pool, last == null ? 0 : last.id(), "scale-out", true, pollMs, 30_000);
            if (out == null || !out.outcome().equals("ok")) {
                System.err.println("react: no successful scale-out after enqueue " + i + ": " + (out == null ? "none" : out.body()));
                bad++;
                break;
            }
            Instant stamp = awaitStamp(stamps, stampLines, 5_000);
            String jobId = group(ID_NUM, job.body());
            Instant jobDone = takeAway(pool, jobId);
            if (jobDone == null) {
                bad++;
                break;
            }
            Event in = awaitEvent(pool, out.id(), "scale-in", true, pollMs * 5, 30_000);
            if (in == null || !in.outcome().equals("ok")) {
                System.err.println("react: no successful scale-in after job " + jobId + ": " + (in == null ? "none" : in.body()));
                bad++;
                break;
            }
            if (measure) {
                decision.add(ms(send, out.at()));
                completed.add(ms(send, out.completedAt()));
                enqueueRtt.add(ms(send, got201));
                decisionAfter201.add(ms(got201, out.at()));
                if (stamp != null) {
                    started.add(ms(send, stamp));
                    startAfterDecision.add(ms(out.at(), stamp));
                }
                scaleInWait.add(ms(jobDone, in.at()));
                scaleInCall.add(ms(in.at(), in.completedAt()));
                rules.merge(out.rule(), 1, Integer::sum);
                done++;
                lastMeasured = System.nanoTime();
            }
            if ((i + 1) % 10 == 0) {
                System.err.printf(Locale.ROOT, "react: %d of %d (last: decision %.1f ms, instance started %.1f ms, call done %.1f ms after the send)%n",
                        i + 1, warmup + n, ms(send, out.at()), stamp == null ? Double.NaN : ms(send, stamp), ms(send, out.completedAt()));
            }
        }
        if (cpu0 == null) {
            cpu0 = Cpu.now();
        }
        Cpu cpu1 = Cpu.now();
        double[] d = sorted(decision);
        double[] s = sorted(started);
        double[] c = sorted(completed);
        double[] e = sorted(enqueueRtt);
        double[] d2 = sorted(decisionAfter201);
        double[] sd = sorted(startAfterDecision);
        double[] w = sorted(scaleInWait);
        double[] ic = sorted(scaleInCall);
        StringBuilder r = new StringBuilder();
        rules.forEach((k, v) -> r.append(r.isEmpty() ? "" : ",").append(k).append(':').append(v));
        return String.format(Locale.ROOT,
                "n=%d warmup=%d measured=%d failed=%d seconds=%.1f rules=%s"
                        + " decision_p50_ms=%.1f decision_p90_ms=%.1f decision_p99_ms=%.1f decision_max_ms=%.1f decision_min_ms=%.1f"
                        + " started_n=%d started_p50_ms=%.1f started_p90_ms=%.1f started_p99_ms=%.1f started_max_ms=%.1f"
                        + " start_after_decision_p50_ms=%.1f start_after_decision_p99_ms=%.1f"
                        + " completed_p50_ms=%.1f completed_p90_ms=%.1f completed_p99_ms=%.1f completed_max_ms=%.1f"
                        + " enqueue_p50_ms=%.1f enqueue_p99_ms=%.1f after201_p50_ms=%.1f after201_p99_ms=%.1f"
                        + " scalein_wait_p50_ms=%.0f scalein_wait_min_ms=%.0f scalein_wait_max_ms=%.0f scalein_call_p50_ms=%.1f%s",
                n, warmup, done, bad, (lastMeasured - firstMeasured) / 1e9, r.isEmpty() ? "none" : r,
                pct(d, 50), pct(d, 90), pct(d, 99), max(d), d.length == 0 ? Double.NaN : d[0],
                s.length, pct(s, 50), pct(s, 90), pct(s, 99), max(s), pct(sd, 50), pct(sd, 99),
                pct(c, 50), pct(c, 90), pct(c, 99), max(c),
                pct(e, 50), pct(e, 99), pct(d2, 50), pct(d2, 99),
                pct(w, 50), w.length == 0 ? Double.NaN : w[0], max(w), pct(ic, 50), cpu0.report(cpu1));
    }

    /**
     * An enqueue while a scale-in's backend call runs. The pool's instance ignores SIGTERM, so the
     * call lasts the pool's grace; the driver enqueues as soon as it sees the scale-in recorded
     * (outcome pending) and times the scale-out that follows.
     */
    static String busy(Map<String, String> o) throws Exception {
        String pool = o.getOrDefault("pool", "bench-busy");
        int n = intOpt(o, "n", 5);
        long pollMs = intOpt(o, "pollMs", 20);
        List<Double> reaction = new ArrayList<>(); // enqueue sent → scale-out decision
        List<Double> afterCall = new ArrayList<>(); // scale-in call done → scale-out decision
        List<Double> callLeft = new ArrayList<>(); // enqueue sent → scale-in call done
        int notDuring = 0;
        int bad = 0;
        // start at 1 instance with a job in the queue
        Event last = newest(pool);
        Res job = call("POST", queueUrl + "/queues/" + enc(pool) + "/jobs", clientToken, "{\"kind\":\"bench-busy\"}", 201, 10_000);
        Event out = job == null ? null : awaitEvent(pool, last == null ? 0 : last.id(), "scale-out", true, pollMs, 30_000);
        if (out == null || !out.outcome().equals("ok")) {
            return "n=" + n + " measured=0 failed=1";
        }
        String jobId = group(ID_NUM, job.body());
        for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
            if (takeAway(pool, jobId) == null) {
                bad++;
                break;
            }
            // the scale-in comes with the next round; act the moment it is recorded (its call then runs)
            Event in = awaitEvent(pool, out.id(), "scale-in", false, pollMs, 30_000);
            if (in == null) {
                bad++;
                break;
            }
            Instant send = Instant.now();
            job = call("POST", queueUrl + "/queues/" + enc(pool) + "/jobs", clientToken, "{\"kind\":\"bench-busy\"}", 201, 10_000);
            if (job == null) {
                bad++;
                break;
            }
            jobId = group(ID_NUM, job.body());
            Event inDone = awaitEvent(pool, in.id() - 1, "scale-in", true, pollMs, 60_000);
            out = awaitEvent(pool, in.id(), "scale-out", true, pollMs, 60_000);
            if (inDone == null || out == null || !out.outcome().equals("ok") || inDone.completedAt() == null) {
                System.err.println("busy: no scale-out after enqueue " + i + ": " + (out == null ? "none" : out.body()));
                bad++;
                break;
            }
            if (!send.isBefore(inDone.completedAt())) {
                notDuring++; // the call had ended before the enqueue: not the case this phase is about
                continue;
            }
            reaction.add(ms(send, out.at()));
            afterCall.add(ms(inDone.completedAt(), out.at()));
            callLeft.add(ms(send, inDone.completedAt()));
            System.err.printf(Locale.ROOT, "busy: %d of %d: enqueue %.0f ms before the scale-in call ended; scale-out decided %.0f ms after the enqueue%n",
                    i + 1, n, ms(send, inDone.completedAt()), ms(send, out.at()));
        }
        // leave the pool at rest: no job, back at 0
        if (jobId != null) {
            takeAway(pool, jobId);
            awaitEvent(pool, out == null ? 0 : out.id(), "scale-in", true, pollMs * 5, 30_000);
        }
        double[] r = sorted(reaction);
        double[] a = sorted(afterCall);
        double[] l = sorted(callLeft);
        return String.format(Locale.ROOT,
                "n=%d measured=%d not_during=%d failed=%d reaction_p50_ms=%.0f reaction_min_ms=%.0f reaction_max_ms=%.0f"
                        + " after_call_p50_ms=%.0f after_call_min_ms=%.0f after_call_max_ms=%.0f call_left_p50_ms=%.0f",
                n, r.length, notDuring, bad, pct(r, 50), r.length == 0 ? Double.NaN : r[0], max(r),
                pct(a, 50), a.length == 0 ? Double.NaN : a[0], max(a), pct(l, 50));
    }

    /** Claims the job (as a runner) and completes it; the instant the completion was answered. */
    static Instant takeAway(String pool, String jobId) {
        Res claim = call("POST", queueUrl + "/queues/" + enc(pool) + "/claim", runnerToken,
                "{\"runnerId\":\"bench-scaler\",\"max\":1,\"waitMs\":2000}", 200, 10_000);
        String lease = claim == null ? null : group(LEASE, claim.body());
        String claimed = claim == null ? null : group(ID_NUM, claim.body());
        if (lease == null || !String.valueOf(claimed).equals(jobId)) {
            System.err.println("takeAway: claimed " + (claim == null ? "nothing" : claim.body()) + ", expected job " + jobId);
            errors.incrementAndGet();
            return null;
        }
        Res done = call("POST", queueUrl + "/jobs/" + jobId + "/complete", runnerToken,
                "{\"leaseToken\":\"" + lease + "\",\"result\":{}}", 200, 10_000);
        return done == null ? null : Instant.now();
    }

    /** The pool's newest event, or null when it has none. */
    static Event newest(String pool) {
        List<Event> events = events(pool, 1);
        return events.isEmpty() ? null : events.getFirst();
    }

    /** The pool's newest events, newest first. */
    static List<Event> events(String pool, int limit) {
        Res res = call("GET", scalerUrl + "/pools/" + enc(pool) + "/events?limit=" + limit, clientToken, null, 200, 10_000);
        List<Event> out = new ArrayList<>();
        if (res == null) {
            return out;
        }
        // one object per event; nested "inputs" has no "id"/"kind" keys
        for (String obj : res.body().split("(?=\\{\"id\":)")) {
            Matcher m = EVENT.matcher(obj);
            if (!m.find()) {
                continue;
            }
            out.add(new Event(Long.parseLong(m.group(1)), Instant.parse(m.group(2)), m.group(3), m.group(4),
                    str(obj, "outcome"), instantOrNull(str(obj, "completedAt")), obj));
        }
        return out;
    }

    /**
     * Waits for the first event after {@code afterId} of {@code kind}; with {@code finished}, until
     * its outcome is no longer pending. Polls every {@code pollMs}; null after {@code timeoutMs}.
     */
    static Event awaitEvent(String pool, long afterId, String kind, boolean finished, long pollMs, long timeoutMs) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < until && System.nanoTime() < deadline) {
            List<Event> events = events(pool, 10);
            for (int i = events.size() - 1; i >= 0; i--) {
                Event e = events.get(i);
                if (e.id() > afterId && e.kind().equals(kind)) {
                    if (!finished || !"pending".equals(e.outcome())) {
                        return e;
                    }
                    break;
                }
            }
            sleepMs(pollMs);
        }
        System.err.println("awaitEvent: no " + kind + " event after id " + afterId + " of pool " + pool + " within " + timeoutMs + " ms");
        errors.incrementAndGet();
        return null;
    }

    /** The start stamp of the instance that appended line {@code index} (0-based) to the stamp file. */
    static Instant awaitStamp(Path stamps, int index, long timeoutMs) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < until) {
            List<String> l = lines(stamps);
            if (l.size() > index) {
                String[] f = l.get(index).trim().split("\\s+");
                String[] sec = f[1].split("\\.");
                return Instant.ofEpochSecond(Long.parseLong(sec[0]), Long.parseLong((sec[1] + "000000000").substring(0, 9)));
            }
            sleepMs(10);
        }
        System.err.println("no start stamp in " + stamps + " within " + timeoutMs + " ms");
        return null;
    }

    static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (Exception e) {
            return List.of();
        }
    }

    // ---- pools ----------------------------------------------------------------------------------

    static String pools(Map<String, String> o) throws Exception {
        int n = intOpt(o, "n", 1000);
        int concurrency = intOpt(o, "concurrency", 8);
        String prefix = o.getOrDefault("prefix", "bench-pool-");
        String command = o.getOrDefault("command", "sleep 600");
        AtomicInteger queues = new AtomicInteger();
        AtomicInteger pools = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        runWorkers(concurrency, () -> {
            int i;
            while ((i = next.getAndIncrement()) < n && System.nanoTime() < deadline) {
                String name = prefix + String.format(Locale.ROOT, "%04d", i);
                if (call("PUT", queueUrl + "/queues/" + name, adminToken, "{}", 200, 10_000) != null) {
                    queues.incrementAndGet();
                }
                String spec = "{\"minInstances\":0,\"maxInstances\":10,\"dryRun\":true,\"backend\":{\"kind\":\"process\","
                        + "\"settings\":{\"command\":\"" + command + "\",\"health\":\"none\"}},"
                        + "\"policy\":{\"queueTarget\":{\"jobsPerInstance\":4}}}";
                Res res = call("PUT", scalerUrl + "/pools/" + name, adminToken, spec, 201, 10_000);
                if (res != null) {
                    pools.incrementAndGet();
                }
            }
        });
        double s = (System.nanoTime() - t0) / 1e9;
        return String.format(Locale.ROOT, "n=%d queues=%d pools=%d seconds=%.1f", n, queues.get(), pools.get(), s);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** One request; the answer on the expected status, else null (counted, the first few logged). */
    static Res call(String method, String url, String bearer, String body, int expect, long timeoutMs) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(timeoutMs))
                .header("Authorization", "Bearer " + bearer).header("Accept", "application/json");
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
                    System.err.println(method + " " + url + " -> " + res.statusCode() + " (expected " + expect + "): "
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
                System.err.println(method + " " + url + " failed: " + e);
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

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }

    /** A string member of a flat JSON object ("key":"value"), or null. */
    static String str(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static Instant instantOrNull(String s) {
        return s == null ? null : Instant.parse(s);
    }

    static double ms(Instant from, Instant to) {
        return to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e6;
    }

    static int intOpt(Map<String, String> o, String key, int dflt) {
        return Integer.parseInt(o.getOrDefault(key, "" + dflt));
    }

    static double[] sorted(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).sorted().toArray();
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

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** The machine's busy share and this driver's CPU over a window, from /proc. */
    record Cpu(long busy, long total, long driverNanos) {

        static Cpu now() {
            long busy = 0;
            long total = 0;
            try {
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    long v = Long.parseLong(cpu[i]);
                    total += v;
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += v;
                    }
                }
            } catch (Exception e) {
                System.err.println("cannot read /proc/stat: " + e);
            }
            long driver = 0;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                driver = os.getProcessCpuTime();
            }
            return new Cpu(busy, total, driver);
        }

        String report(Cpu after) {
            return String.format(Locale.ROOT, " driver_cpu_s=%.2f machine_busy_pct=%.0f", (after.driverNanos - driverNanos) / 1e9,
                    after.total > total ? 100.0 * (after.busy - busy) / (after.total - total) : 0.0);
        }
    }

    // ---- policy (the pure decision core; needs scaler-service's classes on the class path) --------

    /**
     * The pure decision core on synthetic pools, as the service's round calls it (minus the I/O
     * around it). The source launcher compiles the whole file, so every phase needs
     * scaler-service's classes on the class path; only this one loads them.
     */
    static final class PolicyRounds {

        static String run(Map<String, String> o) {
            int nPools = intOpt(o, "pools", 1000);
            int rounds = intOpt(o, "rounds", 500);
            int warmup = intOpt(o, "warmup", 200);
            int minutes = intOpt(o, "minutes", 15);
            int step = intOpt(o, "stepSeconds", 5);
            long seed = Long.parseLong(o.getOrDefault("seed", "42"));
            Random rnd = new Random(seed);
            Instant now = Instant.parse("2026-11-23T12:00:00Z");
            int samples = minutes * 60 / step;

            dev.fleet.scaler.policy.PoolPolicy[] policies = new dev.fleet.scaler.policy.PoolPolicy[nPools];
            dev.fleet.scaler.policy.PoolState[] states = new dev.fleet.scaler.policy.PoolState[nPools];
            dev.fleet.scaler.policy.MetricHistory[] histories = new dev.fleet.scaler.policy.MetricHistory[nPools];
            List<List<dev.fleet.scaler.policy.Decision>> past = new ArrayList<>();
            Map<String, Integer> shapes = new TreeMap<>();
            for (int p = 0; p < nPools; p++) {
                String name = String.format(Locale.ROOT, "pool-%04d", p);
                policies[p] = dev.fleet.scaler.policy.PoolPolicy.builder(name, 1, 50)
                        .queueTarget(dev.fleet.scaler.policy.QueueTarget.of(4)).build();
                int instances = 2 + rnd.nextInt(9);
                states[p] = dev.fleet.scaler.policy.PoolState.of(instances, instances, 0);
                // The history as the service keeps it: one sample per metric and evaluation, stale after two intervals.
                var h = dev.fleet.scaler.policy.MetricHistory.forEvaluationInterval(Duration.ofSeconds(step));
                // Four load shapes, so that every rule family does real work somewhere: idle pools hold
                // the long scale-in windows (cpu-low, cpu-idle scan all 15 minutes), busy ones the
                // scale-out ones, steady ones fail every hold at once, noisy ones somewhere between.
                String shape = switch (p % 4) {
                    case 0 -> "idle";
                    case 1 -> "busy";
                    case 2 -> "steady";
                    default -> "noisy";
                };
                shapes.merge(shape, 1, Integer::sum);
                for (int k = samples; k >= 0; k--) {
                    Instant at = now.minusSeconds((long) k * step);
                    double cpu = switch (shape) {
                        case "idle" -> 5 + rnd.nextDouble() * 12;
                        case "busy" -> 75 + rnd.nextDouble() * 20;
                        case "steady" -> 40 + rnd.nextDouble() * 20;
                        default -> rnd.nextDouble() * 100;
                    };
                    double depth = shape.equals("busy") ? 80 + rnd.nextInt(100) : rnd.nextInt(shape.equals("idle") ? 1 : 20);
                    h.record(dev.fleet.scaler.policy.MetricNames.CPU, at, cpu);
                    h.record(dev.fleet.scaler.policy.MetricNames.QUEUE_DEPTH, at, depth);
                    h.record(dev.fleet.scaler.policy.MetricNames.IN_FLIGHT, at, rnd.nextInt(4 * instances + 1));
                }
                histories[p] = h;
                // 0–3 decisions in the last 10 minutes (what cooldowns, rate limits and the stabilisation window read)
                List<dev.fleet.scaler.policy.Decision> d = new ArrayList<>();
                int count = rnd.nextInt(4);
                for (int k = 0; k < count; k++) {
                    Instant at = now.minusSeconds(30 + rnd.nextInt(570));
                    boolean out = rnd.nextBoolean();
                    int from = out ? Math.max(1, instances - 1) : instances + 1;
                    d.add(new dev.fleet.scaler.policy.Decision(name, at, from, instances,
                            out ? dev.fleet.scaler.policy.Decision.Kind.SCALE_OUT : dev.fleet.scaler.policy.Decision.Kind.SCALE_IN,
                            out ? "cpu-high" : "cpu-low", instances, Map.of(), "bench", false, false, false));
                    if (rnd.nextBoolean()) { // a quiet decision with a recommendation (stabilisation window)
                        d.add(new dev.fleet.scaler.policy.Decision(name, at.plusSeconds(5), instances, instances,
                                dev.fleet.scaler.policy.Decision.Kind.NONE, "queue-target", instances + rnd.nextInt(2), Map.of(),
                                "bench", false, false, false));
                    }
                }
                d.sort((a, b) -> a.at().compareTo(b.at()));
                past.add(d);
            }

            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().threadId();
            long[] nanos = new long[rounds];
            long sink = 0;
            Map<String, Integer> kinds = new TreeMap<>();
            Map<String, Integer> rulesSeen = new TreeMap<>();
            long allocBefore = 0;
            long gcBefore = 0;
            long t0 = System.nanoTime();
            int done = 0;
            for (int r = 0; r < warmup + rounds && System.nanoTime() < deadline; r++) {
                if (r == warmup) {
                    allocBefore = threads.getThreadAllocatedBytes(tid);
                    gcBefore = gcMillis();
                    t0 = System.nanoTime();
                }
                long a = System.nanoTime();
                for (int p = 0; p < nPools; p++) {
                    var decision = dev.fleet.scaler.policy.PolicyEvaluator.evaluate(policies[p], states[p], histories[p],
                            past.get(p), now);
                    sink += decision.to() + decision.reason().length();
                    if (r == warmup + rounds - 1) {
                        kinds.merge(decision.kind().toString(), 1, Integer::sum);
                        rulesSeen.merge(decision.rule(), 1, Integer::sum);
                    }
                }
                long b = System.nanoTime();
                if (r >= warmup) {
                    nanos[r - warmup] = b - a;
                    done++;
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            long alloc = threads.getThreadAllocatedBytes(tid) - allocBefore;
            long gc = gcMillis() - gcBefore;
            double[] v = new double[done];
            for (int i = 0; i < done; i++) {
                v[i] = nanos[i] / 1e6;
            }
            Arrays.sort(v);
            double mean = Arrays.stream(v).average().orElse(Double.NaN);
            StringBuilder k = new StringBuilder();
            kinds.forEach((key, val) -> k.append(k.isEmpty() ? "" : ",").append(key).append(':').append(val));
            StringBuilder rl = new StringBuilder();
            rulesSeen.forEach((key, val) -> rl.append(rl.isEmpty() ? "" : ",").append(key).append(':').append(val));
            StringBuilder sh = new StringBuilder();
            shapes.forEach((key, val) -> sh.append(sh.isEmpty() ? "" : ",").append(key).append(':').append(val));
            System.err.println("policy: sink " + sink);
            return String.format(Locale.ROOT,
                    "pools=%d rounds=%d warmup=%d samples_per_metric=%d shapes=%s p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f"
                            + " max_ms=%.3f min_ms=%.3f mean_ms=%.3f per_pool_p50_us=%.2f per_pool_p99_us=%.2f"
                            + " alloc_per_round_kb=%.0f gc_ms=%d seconds=%.1f kinds=%s decision_rules=%s",
                    nPools, done, warmup, samples + 1, sh, pct(v, 50), pct(v, 90), pct(v, 99), max(v),
                    v.length == 0 ? Double.NaN : v[0], mean, 1000 * pct(v, 50) / nPools, 1000 * pct(v, 99) / nPools,
                    done == 0 ? 0.0 : alloc / 1024.0 / done, gc, wall, k, rl);
        }

        static long gcMillis() {
            long t = 0;
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                t += Math.max(0, gc.getCollectionTime());
            }
            return t;
        }
    }
}
