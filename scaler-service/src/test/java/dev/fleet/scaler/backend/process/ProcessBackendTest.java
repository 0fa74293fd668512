package dev.fleet.scaler.backend.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.backend.PortRange;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The process backend against real processes (sleep, small bash scripts, python3's http.server;
 * not the fleet runner, which needs the other services) and the real {@code scaler.processes}.
 * Every process a test causes is stopped by PID after it, also when it fails.
 */
@QuarkusTest
class ProcessBackendTest {

    private static final Duration DB = Duration.ofSeconds(10);
    private static Path scripts;

    @Inject
    ProcessBackend backend;

    @Inject
    ProcessBackendConfig config;

    @Inject
    Pool db;

    /** Pools this test used and processes it started itself: all stopped after the test. */
    private final List<String> pools = new ArrayList<>();
    private final List<ProcessHandle> launched = new ArrayList<>();

    @BeforeAll
    static void writeScripts() throws IOException {
        scripts = Files.createTempDirectory("fleet-process-backend-test");
        script("ignore-term.sh", "trap '' TERM\nexec sleep 300\n");
        script("report-term.sh", """
                trap 'echo "got TERM"; kill "$child"; exit 0' TERM
                sleep 300 &
                child=$!
                wait "$child"
                """);
        // $1 = file to write: the arguments, working directory and token, written atomically.
        script("args.sh", """
                out=$1
                { printf 'arg=%s\\n' "$@"; echo "pwd=$(pwd)"; echo "token=$FLEET_RUNNER_TOKEN"; } > "$out.tmp"
                mv "$out.tmp" "$out"
                exec sleep 300
                """);
        script("fail.sh", "echo \"starting on port $1\"\necho 'boom: cannot read /etc/runner.conf' >&2\nexit 3\n");
    }

    private static void script(String name, String body) throws IOException {
        Path file = scripts.resolve(name);
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stopEverythingThisTestStarted() {
        List<ProcessHandle> all = new ArrayList<>(launched);
        for (Row row : db.preparedQuery("SELECT pid, process_start FROM scaler.processes WHERE pool = ANY($1)")
                .execute(Tuple.of(pools.toArray(String[]::new))).await().atMost(DB)) {
            Instant start = Timestamps.column(row, "process_start");
            ProcessHandle.of(row.getLong("pid"))
                    .filter(h -> h.info().startInstant().map(s -> Duration.between(s, start).abs().getSeconds() < 2)
                            .orElse(false))
                    .ifPresent(all::add);
        }
        for (ProcessHandle h : all) {
            List<ProcessHandle> descendants = h.descendants().toList();
            h.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> all.stream().noneMatch(ProcessHandle::isAlive));
        db.preparedQuery("DELETE FROM scaler.processes WHERE pool = ANY($1)")
                .execute(Tuple.of(pools.toArray(String[]::new))).await().atMost(DB);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String freshPool() {
        String pool = "proc-" + UUID.randomUUID().toString().substring(0, 8);
        pools.add(pool);
        return pool;
    }

    /** 100 ports from a random base, away from the default range and the local stack. */
    private static String freshPorts() {
        int base = 20000 + ThreadLocalRandom.current().nextInt(300) * 100;
        return base + "-" + (base + 99);
    }

    private static BackendTarget target(String pool, String command, String... more) {
        Map<String, String> settings = new HashMap<>();
        settings.put("command", command);
        settings.put("ports", freshPorts());
        settings.put("health", "none");
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return new BackendTarget(pool, null, settings);
    }

    private static String script(String name) {
        return "bash " + scripts.resolve(name);
    }

    private List<TrackedProcess> live(ProcessBackend b, String pool) {
        List<TrackedProcess> live = b.liveProcesses(pool);
        live.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(launched::add));
        return live;
    }

    private long rows(String pool) {
        return db.preparedQuery("SELECT count(*) AS n FROM scaler.processes WHERE pool = $1").execute(Tuple.of(pool))
                .await().atMost(DB).iterator().next().getLong("n");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static long millisOf(Runnable action) {
        long t0 = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - t0).toMillis();
    }

    // ---- tests ----------------------------------------------------------------------------------

    @Nested
    class Scaling {

        @Test
        void scalesZeroToThreeToOneToZeroKeepingTheOldestAndOneRowPerLiveProcess() {
            String pool = freshPool();
            BackendTarget target = target(pool, "sleep 300");

            BackendStatus three = backend.scaleTo(target, 3);
            assertThat(three).extracting(BackendStatus::desired, BackendStatus::running, BackendStatus::ready)
                    .containsExactly(3, 3, 3);
            List<TrackedProcess> started = live(backend, pool);
            assertThat(started).hasSize(3).allSatisfy(p -> assertThat(alive(p.pid())).isTrue());
            assertThat(started).extracting(TrackedProcess::index).containsExactly(0, 1, 2);
            assertThat(started).extracting(TrackedProcess::port).doesNotHaveDuplicates();
            assertThat(started.get(0).command()).containsExactly("sleep", "300");
            assertThat(rows(pool)).isEqualTo(3);
            assertThat(three.detail()).contains("3 running", "pid " + started.get(0).pid());

            BackendStatus one = backend.scaleTo(target, 1);
            assertThat(one).extracting(BackendStatus::desired, BackendStatus::running).containsExactly(1, 1);
            assertThat(live(backend, pool)).extracting(TrackedProcess::pid).containsExactly(started.get(0).pid());
            assertThat(alive(started.get(0).pid())).isTrue();
            assertThat(alive(started.get(1).pid())).isFalse();
            assertThat(alive(started.get(2).pid())).isFalse();
            assertThat(rows(pool)).isEqualTo(1);

            BackendStatus zero = backend.scaleTo(target, 0);
            assertThat(zero).extracting(BackendStatus::desired, BackendStatus::running, BackendStatus::detail)
                    .containsExactly(0, 0, "no processes");
            assertThat(alive(started.get(0).pid())).isFalse();
            assertThat(rows(pool)).isZero();
        }

        @Test
        void substitutesPlaceholdersAndPassesTheRunnerTokenAndWorkdir() throws IOException {
            String pool = freshPool();
            ProcessBackend withToken = new ProcessBackend(db, new TestConfig(config, Optional.of("tok-123")));
            BackendTarget target = new BackendTarget(pool, "jobs-" + pool, Map.of(
                    "command", script("args.sh") + " " + scripts + "/out-{pool}-{index}.txt {pool} {queue}"
                            + " --port={port} --index={index}",
                    "ports", freshPorts(), "workdir", scripts.toString(), "health", "none"));

            withToken.scaleTo(target, 2);

            List<TrackedProcess> live = live(withToken, pool);
            assertThat(live).hasSize(2);
            for (TrackedProcess p : live) {
                Path out = scripts.resolve("out-" + pool + "-" + p.index() + ".txt");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out));
                assertThat(Files.readAllLines(out)).containsExactly(
                        "arg=" + out, "arg=" + pool, "arg=jobs-" + pool, "arg=--port=" + p.port(),
                        "arg=--index=" + p.index(), "pwd=" + scripts.toRealPath(), "token=tok-123");
                assertThat(p.command()).contains("--port=" + p.port());
            }
            withToken.scaleTo(target, 0);
        }

        @Test
        void skipsPortsSomethingElseListensOn() throws IOException {
            String pool = freshPool();
            BackendTarget target = target(pool, "sleep 300");
            PortRange range = PortRange.parse("ports", target.settings().get("ports"));
            try (ServerSocket other = new ServerSocket()) {
                other.bind(new InetSocketAddress(range.first()));

                backend.scaleTo(target, 1);

                assertThat(live(backend, pool)).extracting(TrackedProcess::port).containsExactly(range.first() + 1);
            }
        }

        @Test
        void replaceAllStartsAFreshSetThenStopsTheOldOne() {
            String pool = freshPool();
            BackendTarget target = target(pool, "sleep 300");
            backend.scaleTo(target, 2);
            List<Long> old = live(backend, pool).stream().map(TrackedProcess::pid).toList();

            BackendStatus replaced = backend.replaceAll(target);

            assertThat(replaced).extracting(BackendStatus::desired, BackendStatus::running).containsExactly(2, 2);
            List<TrackedProcess> fresh = live(backend, pool);
            assertThat(fresh).hasSize(2).extracting(TrackedProcess::pid).doesNotContainAnyElementsOf(old);
            assertThat(old).noneMatch(ProcessBackendTest::alive);
            assertThat(rows(pool)).isEqualTo(2);
        }

        @Test
        void countsAsReadyOnlyProcessesWhoseHealthPathAnswers200() {
            String pool = freshPool();
            BackendTarget target = target(pool, "python3 -m http.server {port} --bind 127.0.0.1", "health", "/");
            backend.scaleTo(target, 2);
            live(backend, pool);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> backend.observe(target).ready() == 2);
            Map<String, String> missingPath = new HashMap<>(target.settings());
            missingPath.put("health", "/no-such-health");
            BackendStatus notFound = backend.observe(new BackendTarget(pool, null, missingPath));
            assertThat(notFound).extracting(BackendStatus::running, BackendStatus::ready).containsExactly(2, 0);
            assertThat(notFound.detail()).contains("2 running, 0 ready");

            backend.scaleTo(target, 0);
        }
    }

    @Nested
    class Stopping {

        @Test
        void stopsWithSigtermWithoutWaitingOutTheGrace() throws IOException {
            String pool = freshPool();
            BackendTarget target = target(pool, script("report-term.sh"), "grace", "60s");
            backend.scaleTo(target, 1);
            TrackedProcess p = live(backend, pool).get(0);

            long ms = millisOf(() -> backend.scaleTo(target, 0));

            // Milliseconds on a quiet machine; half the grace leaves a loaded one ample room.
            assertThat(ms).isLessThan(30_000);
            assertThat(alive(p.pid())).isFalse();
            assertThat(Files.readString(Path.of(p.logPath()))).contains("got TERM");
        }

        @Test
        void killsAProcessThatIgnoresSigtermOnceTheGraceIsOver() {
            String pool = freshPool();
            BackendTarget target = target(pool, script("ignore-term.sh"), "grace", "1s");
            backend.scaleTo(target, 1);
            TrackedProcess p = live(backend, pool).get(0);

            long ms = millisOf(() -> backend.scaleTo(target, 0));

            // At least the grace; the rest (the kill, the row) takes milliseconds, but seconds on a loaded machine.
            assertThat(ms).isBetween(1000L, 1000L + 15_000L);
            assertThat(alive(p.pid())).isFalse();
            assertThat(rows(pool)).isZero();
        }

        @Test
        void stopsSeveralProcessesInParallelWithinOneGracePeriod() {
            String pool = freshPool();
            BackendTarget target = target(pool, script("ignore-term.sh"), "grace", "6s");
            backend.scaleTo(target, 5);
            List<TrackedProcess> five = live(backend, pool);
            assertThat(five).hasSize(5);

            long ms = millisOf(() -> backend.scaleTo(target, 0));

            // One after another they would take five grace periods; in parallel one, and less than two
            // leaves a loaded machine 6 s for the kills and rows.
            assertThat(ms).as("five stops, one grace period of 6 s").isBetween(6000L, 12_000L - 1);
            assertThat(five).noneMatch(p -> alive(p.pid()));
            assertThat(rows(pool)).isZero();
        }
    }

    @Nested
    class FailedStart {

        @Test
        void aProcessExitingAtOnceFailsNonRetryablyWithTheEndOfItsLog() {
            String pool = freshPool();
            BackendTarget target = target(pool, script("fail.sh") + " {port}");

            assertThatThrownBy(() -> backend.scaleTo(target, 2))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.retryable()).isFalse())
                    .hasMessageContaining("exited with status 3")
                    .hasMessageContaining("starting on port")
                    .hasMessageContaining("boom: cannot read /etc/runner.conf")
                    .hasMessageContaining("1 more of this start failed alike");
            assertThat(rows(pool)).isZero();
            assertThat(backend.observe(target)).extracting(BackendStatus::desired, BackendStatus::running)
                    .containsExactly(2, 0);
        }

        @Test
        void aMissingProgramFailsNonRetryably() {
            String pool = freshPool();
            BackendTarget target = target(pool, "/nonexistent/fleet-runner --port {port}");

            assertThatThrownBy(() -> backend.scaleTo(target, 1))
                    .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.retryable()).isFalse())
                    .hasMessageContaining("cannot start '/nonexistent/fleet-runner --port ");
            assertThat(rows(pool)).isZero();
        }
    }

    @Nested
    class Reconciliation {

        @Test
        void aRestartedBackendAdoptsLiveProcessesAndForgetsDeadAndRecycledOnes() throws Exception {
            String pool = freshPool();
            BackendTarget target = target(pool, "sleep 300");
            backend.scaleTo(target, 3);
            List<TrackedProcess> started = live(backend, pool);
            TrackedProcess killed = started.get(1);
            new ProcessBuilder("kill", "-9", Long.toString(killed.pid())).start().waitFor();
            await().atMost(Duration.ofSeconds(30)).until(() -> !alive(killed.pid()));
            // An unrelated live process whose PID a row names with another start time: a recycled PID.
            Process foreign = new ProcessBuilder("sleep", "300").start();
            launched.add(foreign.toHandle());
            Instant foreignStart = foreign.info().startInstant().orElseThrow();
            db.preparedQuery("""
                    INSERT INTO scaler.processes (host, pool, instance, pid, port, process_start, command, log_path)
                    SELECT host, pool, 7, $1, 1, $2, ARRAY['sleep', '300'], '/dev/null'
                    FROM scaler.processes WHERE pool = $3 LIMIT 1""")
                    .execute(Tuple.of(foreign.pid(), Timestamps.param(foreignStart.minus(Duration.ofHours(1))), pool))
                    .await().atMost(DB);
            assertThat(rows(pool)).isEqualTo(4);

            ProcessBackend restarted = new ProcessBackend(db, config);
            ProcessBackend.Reconciliation found = restarted.reconcile();

            assertThat(found.adopted()).filteredOn(p -> p.pool().equals(pool)).extracting(TrackedProcess::pid)
                    .containsExactly(started.get(0).pid(), started.get(2).pid());
            assertThat(found.forgotten()).filteredOn(p -> p.pool().equals(pool)).extracting(TrackedProcess::pid)
                    .containsExactlyInAnyOrder(killed.pid(), foreign.pid());
            assertThat(rows(pool)).isEqualTo(2);
            assertThat(restarted.observe(target))
                    .extracting(BackendStatus::desired, BackendStatus::running).containsExactly(2, 2);

            restarted.scaleTo(target, 0);

            assertThat(alive(started.get(0).pid())).isFalse();
            assertThat(alive(started.get(2).pid())).isFalse();
            assertThat(foreign.isAlive()).as("the process behind a recycled PID is never signalled").isTrue();
            assertThat(rows(pool)).isZero();
        }
    }

    @Nested
    class Validation {

        private void rejects(Map<String, String> settings, String key, String message) {
            assertThatThrownBy(() -> backend.validate(settings))
                    .isInstanceOfSatisfying(InvalidPolicyException.class,
                            e -> assertThat(e.field()).isEqualTo("backend.settings." + key))
                    .hasMessageContaining(message);
        }

        @Test
        void acceptsACommandWithDefaultsOrEverySettingGiven() {
            backend.validate(Map.of("command", "sleep 300"));
            backend.validate(Map.of("command", "bash run.sh --pool {pool} --queue {queue} --port={port} -i {index}",
                    "ports", "9300-9310", "grace", "500ms", "workdir", scripts.toString(), "health", "none"));
            ProcessSettings defaults = ProcessSettings.parse(Map.of("command", " java  -jar r.jar "),
                    PortRange.parse("ports", config.ports()));
            assertThat(defaults.command()).containsExactly("java", "-jar", "r.jar");
            assertThat(defaults.ports()).isEqualTo(new PortRange(9200, 9999));
            assertThat(defaults.grace()).isEqualTo(Duration.ofSeconds(30));
            assertThat(defaults.workdir()).isEqualTo(Path.of("").toAbsolutePath());
            assertThat(defaults.health()).contains("/health");
            assertThat(ProcessSettings.parse(Map.of("command", "x", "grace", "PT45S"), defaults.ports()).grace())
                    .isEqualTo(Duration.ofSeconds(45));
        }

        @Test
        void namesTheSettingAtFault() {
            rejects(Map.of(), "command", "is required");
            rejects(Map.of("command", "  "), "command", "is required");
            rejects(Map.of("command", "sleep {seconds}"), "command", "unknown placeholder {seconds}");
            rejects(Map.of("command", "no-such-program-xyz --port {port}"), "command",
                    "program 'no-such-program-xyz' is not on the PATH");
            rejects(Map.of("command", "./missing.sh", "workdir", scripts.toString()), "command",
                    "'./missing.sh' is not an executable file");
            rejects(Map.of("command", "sleep 300", "ports", "9300-9200"), "ports", "like 9200-9299");
            rejects(Map.of("command", "sleep 300", "ports", "lots"), "ports", "was 'lots'");
            rejects(Map.of("command", "sleep 300", "ports", "70000"), "ports", "within 1-65535");
            rejects(Map.of("command", "sleep 300", "grace", "soon"), "grace", "like 500ms, 30s, 2m");
            rejects(Map.of("command", "sleep 300", "grace", "2h"), "grace", "between 0s and 1h");
            rejects(Map.of("command", "sleep 300", "workdir", "/nonexistent/dir"), "workdir", "is not a directory");
            rejects(Map.of("command", "sleep 300", "health", "health"), "health", "like /health, or 'none'");
            rejects(Map.of("command", "sleep 300", "comand", "x"), "comand",
                    "unknown setting of the process backend; known: command, grace, health, ports, workdir");
        }
    }

    /** The injected configuration with another runner token. */
    private record TestConfig(ProcessBackendConfig base, Optional<String> runnerToken) implements ProcessBackendConfig {

        @Override
        public String ports() {
            return base.ports();
        }

        @Override
        public String logDir() {
            return base.logDir();
        }

        @Override
        public Duration startCheck() {
            return base.startCheck();
        }

        @Override
        public Duration healthTimeout() {
            return base.healthTimeout();
        }

        @Override
        public Optional<String> host() {
            return base.host();
        }
    }
}
