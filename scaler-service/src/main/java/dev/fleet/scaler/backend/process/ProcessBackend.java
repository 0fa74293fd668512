package dev.fleet.scaler.backend.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.backend.HealthProbe;
import dev.fleet.scaler.backend.PoolLocks;
import dev.fleet.scaler.backend.PortRange;
import dev.fleet.scaler.backend.ScalingBackend;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The {@code process} backend: a pool's instances are processes on this machine (the local stack's
 * default; usually {@code fleet-runner}). Every process it starts is a row of
 * {@code scaler.processes} (pid + the start time the OS reports + port + log), so a restarted
 * scaler finds its processes again ({@link #reconcile}) instead of starting a second set; the
 * processes outlive the scaler on purpose.
 *
 * <p>Rows are the truth, checked against the OS on every call: a row counts only while its PID is
 * alive <em>and</em> still has the recorded start time, so a PID the OS recycled for an unrelated
 * process is forgotten, never signalled. Everything goes through {@link ProcessHandle#of}, so
 * children of this JVM and processes adopted from a previous one are handled alike.
 *
 * <p>Scale-in stops the newest processes, all at once: SIGTERM to each, one shared grace period,
 * then SIGKILL (to the process and its descendants) for whatever still runs, so stopping five
 * takes one grace period, not five. {@link #replaceAll} starts the fresh set first and only then
 * stops the old one: an emergency replacement should not first wait out a grace period at zero
 * capacity, and a fresh set that fails to start leaves the old one running.
 *
 * <p>Calls block (they wait for processes and the database) and must come from a worker thread.
 * Calls for one pool are serialised; choosing ports is serialised across pools.
 */
@Singleton
public class ProcessBackend implements ScalingBackend {

    public static final String KIND = "process";
    /** The environment variable that carries {@code fleet.scaler.process.runner-token}. */
    public static final String RUNNER_TOKEN_ENV = "FLEET_RUNNER_TOKEN";

    private static final Logger LOG = Logger.getLogger(ProcessBackend.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(10);
    // After SIGKILL a process is gone within milliseconds unless stuck in the kernel; don't wait forever.
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 20;
    private static final int LOG_TAIL_CHARS = 2000;
    private static final int DETAIL_MAX_PROCESSES = 10;
    private static final DateTimeFormatter LOG_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
            .withZone(ZoneOffset.UTC);

    /** What a call to {@link #reconcile} found: live processes kept, rows dropped (process exited, or PID recycled). */
    public record Reconciliation(List<TrackedProcess> adopted, List<TrackedProcess> forgotten) {
    }

    private record Started(Process process, TrackedProcess tracked, Instant at) {
    }

    private final ProcessBackendConfig config;
    private final ProcessQueries queries;
    private final String host;
    private final PortRange defaultPorts;
    private final Path logDir;
    private final HealthProbe health;
    private final Map<String, Integer> desired = new ConcurrentHashMap<>();
    private final PoolLocks locks = new PoolLocks();
    private final Object portLock = new Object();

    ProcessBackend(Pool db, ProcessBackendConfig config) {
        this.config = config;
        this.host = config.host().orElseGet(ProcessBackend::hostName);
        this.queries = new ProcessQueries(db, host);
        this.defaultPorts = PortRange.parse("fleet.scaler.process.ports", config.ports());
        this.logDir = Path.of(config.logDir()).toAbsolutePath();
        this.health = new HealthProbe(config.healthTimeout());
    }

    void adoptAtStart(@Observes StartupEvent event) {
        try {
            Reconciliation found = reconcile();
            if (!found.adopted().isEmpty() || !found.forgotten().isEmpty()) {
                LOG.infof("Process backend (host %s): adopted %d running process(es), forgot %d", host,
                        found.adopted().size(), found.forgotten().size());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Process backend: could not reconcile tracked processes at start (the next call will): %s",
                    e.getMessage());
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void validate(Map<String, String> settings) {
        ProcessSettings.parse(settings == null ? Map.of() : settings, defaultPorts).checkRunnable();
    }

    @Override
    public BackendStatus observe(BackendTarget target) {
        return status(target, settings(target));
    }

    @Override
    public BackendStatus scaleTo(BackendTarget target, int instances) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must not be negative, was " + instances);
        }
        ProcessSettings settings = settings(target);
        return locks.withPool(target.pool(), () -> {
            desired.put(target.pool(), instances);
            List<TrackedProcess> live = reconcile(target.pool()).adopted();
            if (live.size() < instances) {
                start(target, settings, instances - live.size());
            } else if (live.size() > instances) {
                stop(live.subList(instances, live.size()), settings.grace());
            }
            return status(target, settings);
        });
    }

    /** Starts as many fresh processes as run now, then stops the old ones gracefully (see the class comment). */
    @Override
    public BackendStatus replaceAll(BackendTarget target) {
        ProcessSettings settings = settings(target);
        return locks.withPool(target.pool(), () -> {
            List<TrackedProcess> old = reconcile(target.pool()).adopted();
            start(target, settings, old.size());
            stop(old, settings.grace());
            return status(target, settings);
        });
    }

    /**
     * Reconciles every tracked process of this host with the OS: keeps (adopts) the rows whose PID
     * is alive with the recorded start time, deletes the others. Runs at start; every other call
     * does the same for its pool.
     */
    public Reconciliation reconcile() {
        return reconcile(null);
    }

    /** The pool's live processes, oldest first (after reconciling the pool's rows). */
    public List<TrackedProcess> liveProcesses(String pool) {
        return reconcile(pool).adopted();
    }

    private Reconciliation reconcile(String pool) {
        List<TrackedProcess> adopted = new ArrayList<>();
        List<TrackedProcess> forgotten = new ArrayList<>();
        for (TrackedProcess p : await(queries.list(pool))) {
            (p.handle().isPresent() ? adopted : forgotten).add(p);
        }
        await(queries.delete(forgotten));
        for (TrackedProcess p : forgotten) {
            LOG.infof("Pool %s: forgot process %s (it exited, or its PID now names another process)", p.pool(), p);
        }
        return new Reconciliation(adopted, forgotten);
    }

    private BackendStatus status(BackendTarget target, ProcessSettings settings) {
        List<TrackedProcess> live = reconcile(target.pool()).adopted();
        int running = live.size();
        int ready = settings.health().map(path -> probe(live, path)).orElse(running);
        String shown = live.stream().limit(DETAIL_MAX_PROCESSES).map(TrackedProcess::toString)
                .collect(Collectors.joining(", "));
        String detail = running == 0 ? "no processes"
                : running + " running, " + ready + " ready: " + shown
                        + (running > DETAIL_MAX_PROCESSES ? " and " + (running - DETAIL_MAX_PROCESSES) + " more" : "");
        return new BackendStatus(desired.getOrDefault(target.pool(), running), running, ready, detail);
    }

    // ---- start ----------------------------------------------------------------------------------

    private void start(BackendTarget target, ProcessSettings settings, int count) {
        if (count == 0) {
            return;
        }
        List<Started> started = new ArrayList<>();
        BackendException shortage = null;
        synchronized (portLock) {
            List<TrackedProcess> hostLive = reconcile(null).adopted();
            Set<Integer> takenPorts = new HashSet<>();
            Set<Integer> takenIndexes = new HashSet<>();
            for (TrackedProcess p : hostLive) {
                takenPorts.add(p.port());
                if (p.pool().equals(target.pool())) {
                    takenIndexes.add(p.index());
                }
            }
            int nextPort = settings.ports().first();
            for (int i = 0; i < count; i++) {
                while (nextPort <= settings.ports().last() && (takenPorts.contains(nextPort) || PortRange.inUse(nextPort))) {
                    nextPort++;
                }
                if (nextPort > settings.ports().last()) {
                    shortage = new BackendException("pool " + target.pool() + ": started " + i + " of " + count
                            + " processes: no free port left in " + settings.ports()
                            + " (taken by tracked processes or other listeners)", true, null);
                    break;
                }
                int index = 0;
                while (takenIndexes.contains(index)) {
                    index++;
                }
                takenIndexes.add(index);
                started.add(spawn(target, settings, index, nextPort++));
            }
        }
        List<String> failures = checkStarted(started);
        if (!failures.isEmpty()) {
            throw new BackendException(failures.get(0)
                    + (failures.size() > 1 ? "\n(" + (failures.size() - 1) + " more of this start failed alike)" : ""),
                    false, null);
        }
        if (shortage != null) {
            throw shortage;
        }
    }

    private Started spawn(BackendTarget target, ProcessSettings settings, int index, int port) {
        String pool = target.pool();
        String queue = target.queue() == null || target.queue().isBlank() ? pool : target.queue();
        List<String> argv = settings.argv(pool, queue, port, index);
        Path log = logDir.resolve(pool.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + index + "-" + port + "-"
                + LOG_STAMP.format(Instant.now()) + ".log");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(settings.workdir().toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        config.runnerToken().ifPresent(token -> builder.environment().put(RUNNER_TOKEN_ENV, token));
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new BackendException("process backend: cannot create the log directory " + logDir + ": " + e,
                    false, e);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException("pool " + pool + ": cannot start '" + String.join(" ", argv) + "': "
                    + e.getMessage(), false, e);
        }
        Instant at = Instant.now();
        try {
            process.getOutputStream().close(); // stdin: immediate end of input rather than a pipe nobody writes
        } catch (IOException e) {
            // nothing to do: the process just sees its stdin fail
        }
        // Empty only if the process is already gone; the start check then reports it.
        Instant processStart = process.info().startInstant().orElse(at);
        try {
            TrackedProcess tracked = await(queries.insert(pool, index, process.pid(), port, processStart, argv,
                    log.toString()));
            LOG.infof("Pool %s: started %s: %s (log %s)", pool, tracked, String.join(" ", argv), log);
            return new Started(process, tracked, at);
        } catch (RuntimeException e) {
            // Untracked, nobody would ever stop it.
            kill(process.toHandle());
            throw new BackendException("pool " + pool + ": could not record the process it started, so stopped it: "
                    + e.getMessage(), true, e);
        }
    }

    /** Waits until each process has lived for {@code start-check}; describes (and forgets) those that exited. */
    private List<String> checkStarted(List<Started> started) {
        List<String> failures = new ArrayList<>();
        List<TrackedProcess> exited = new ArrayList<>();
        for (Started s : started) {
            long left = Duration.between(Instant.now(), s.at().plus(config.startCheck())).toMillis();
            try {
                if (s.process().waitFor(Math.max(left, 0), TimeUnit.MILLISECONDS)) {
                    exited.add(s.tracked());
                    failures.add("pool " + s.tracked().pool() + ": '" + String.join(" ", s.tracked().command())
                            + "' exited with status " + s.process().exitValue() + " within "
                            + config.startCheck().toMillis() + " ms of its start; end of its log "
                            + s.tracked().logPath() + ":\n" + tail(Path.of(s.tracked().logPath())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while starting processes", true, e);
            }
        }
        await(queries.delete(exited));
        return failures;
    }

    private static String tail(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = Math.max(0, length - LOG_TAIL_CHARS);
            byte[] bytes = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(empty)" : (from > 0 ? "..." : "") + text;
        } catch (IOException e) {
            return "(cannot read it: " + e.getMessage() + ")";
        }
    }

    // ---- stop -----------------------------------------------------------------------------------

    /** SIGTERM to all, one shared grace period, SIGKILL for the rest; forgets those that are gone. */
    private void stop(List<TrackedProcess> victims, Duration grace) {
        Map<TrackedProcess, ProcessHandle> running = new LinkedHashMap<>();
        List<TrackedProcess> gone = new ArrayList<>();
        for (TrackedProcess p : victims) {
            p.handle().ifPresentOrElse(h -> running.put(p, h), () -> gone.add(p));
        }
        running.values().forEach(ProcessHandle::destroy);
        awaitExit(running.values(), Instant.now().plus(grace));
        List<ProcessHandle> killed = new ArrayList<>();
        running.forEach((p, h) -> {
            if (h.isAlive()) {
                LOG.warnf("Pool %s: process %s still runs %d ms after SIGTERM; sending SIGKILL", p.pool(), p,
                        grace.toMillis());
                kill(h);
                killed.add(h);
            }
        });
        awaitExit(killed, Instant.now().plus(KILL_WAIT));
        running.forEach((p, h) -> {
            if (h.isAlive()) {
                LOG.errorf("Pool %s: process %s survived SIGKILL; still tracked", p.pool(), p);
            } else {
                gone.add(p);
                LOG.infof("Pool %s: stopped process %s", p.pool(), p);
            }
        });
        await(queries.delete(gone));
    }

    /** SIGKILL to the process and its descendants (which would otherwise run on, orphaned and untracked). */
    private static void kill(ProcessHandle process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    private static void awaitExit(Collection<ProcessHandle> processes, Instant deadline) {
        try {
            while (processes.stream().anyMatch(ProcessHandle::isAlive) && Instant.now().isBefore(deadline)) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while stopping processes", true, e);
        }
    }

    // ---- readiness ------------------------------------------------------------------------------

    /** How many answer {@code GET http://127.0.0.1:<port><path>} with 200. */
    private int probe(List<TrackedProcess> live, String path) {
        return health.countReady(live.stream().map(p -> URI.create("http://127.0.0.1:" + p.port() + path)).toList());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private ProcessSettings settings(BackendTarget target) {
        try {
            return ProcessSettings.parse(target.settings() == null ? Map.of() : target.settings(), defaultPorts);
        } catch (InvalidPolicyException e) {
            throw new BackendException("pool " + target.pool() + ": " + e.getMessage(), false, e);
        }
    }

    private static <T> T await(Uni<T> uni) {
        try {
            return uni.await().atMost(DB_TIMEOUT);
        } catch (BackendException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendException("process backend: database: " + e.getMessage(), true, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
