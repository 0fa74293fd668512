package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.runner.job.JobHandlers;

/** The packaged runner as a process: signals, a hard kill, and refusing to start. */
class RunnerProcessIT extends AgainstFleetServices {

    @Test
    void sigtermMidJobFinishesWhatFitsInTheGraceGivesBackTheRestAndExitsZero() throws Exception {
        String name = RunnerIT.unique("term");
        try (RunnerProcess runner = RunnerProcess.start(args(name, "--concurrency", "2", "--grace", "20s"))) {
            String id = runner.awaitReady();
            long quick = queue.enqueue(name, "sleep", List.of(Map.of("ms", 1500))).getFirst();
            long slow = queue.enqueue(name, "sleep", List.of(Map.of("ms", 120_000))).getFirst();
            // Claimed is not started: wait until the runner itself has both jobs in its slots.
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.health().path("slots").path("busy").asInt() == 2);

            runner.signal("TERM");
            // Draining: no new sessions go to it while it finishes.
            await().atMost(Duration.ofSeconds(30)).until(() -> sessions.get("/runners/" + id).body().path("draining")
                    .asBoolean());
            assertThat(runner.awaitExit(Duration.ofSeconds(60))).isZero();

            JsonNode finished = queue.job(quick);
            assertThat(finished.get("state").asText()).isEqualTo("succeeded");
            assertThat(finished.get("attempt").asInt()).isEqualTo(1);
            JsonNode givenBack = queue.job(slow);
            assertThat(givenBack.get("state").asText()).isEqualTo("available");
            assertThat(givenBack.get("attempt").asInt()).isZero();
            assertThat(sessions.get("/runners/" + id).status()).isEqualTo(404);
            assertThat(runner.output()).contains("gave 1 of 1 unfinished jobs back");
        }
    }

    @Test
    void aSecondSignalEndsTheDrainAtOnce() throws Exception {
        String name = RunnerIT.unique("twice");
        try (RunnerProcess runner = RunnerProcess.start(args(name, "--grace", "60s"))) {
            runner.awaitReady();
            long job = queue.enqueue(name, "sleep", List.of(Map.of("ms", 120_000))).getFirst();
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.health().path("slots").path("busy").asInt() == 1);
            // TERM, not INT: a shell starts background commands with SIGINT ignored, and the JVM then
            // leaves it ignored, so INT proves nothing when the tests themselves run in the background.
            runner.signal("TERM");
            // The first signal was taken: the runner says it drains, and it still runs (its job takes 120 s)
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.output().contains("TERM: draining"));
            assertThat(runner.awaitExit(Duration.ofMillis(10))).isEqualTo(-1);
            runner.signal("TERM");
            assertThat(runner.awaitExit(Duration.ofSeconds(30))).isEqualTo(143); // well inside the 60 s grace
        }
    }

    @Test
    void aKilledRunnersJobsComeBackAfterTheirLease() throws Exception {
        String name = RunnerIT.unique("killed");
        // Beats go out a third of the way into each lease: a 4 s lease leaves a loaded machine slack.
        queue.put("/queues/" + name, Map.of("leaseMs", 4000));
        long job;
        try (RunnerProcess runner = RunnerProcess.start(args(name))) {
            runner.awaitReady();
            job = queue.enqueue(name, "sleep", List.of(Map.of("ms", 120_000))).getFirst();
            await().atMost(Duration.ofSeconds(30)).until(() -> "running".equals(queue.job(job).get("state").asText()));
            Instant firstExpiry = Instant.parse(queue.job(job).get("leaseExpiresAt").asText());
            // Its heartbeats hold the lease past the first lease's end: wait until that end has passed.
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(firstExpiry.plusSeconds(1)));
            JsonNode held = queue.job(job);
            assertThat(held.get("state").asText()).isEqualTo("running");
            assertThat(held.get("attempt").asInt()).isEqualTo(1);
            assertThat(Instant.parse(held.get("leaseExpiresAt").asText())).isAfter(firstExpiry);
            runner.killHard();
        }
        // Another runner, whose "sleep" is quick, picks it up once the dead one's lease has run out.
        JobHandlers quick = JobHandlers.builtIn(false).with("sleep", claimed -> null);
        try (Runner other = new Runner(services.runnerConfig(name, 1), quick).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "succeeded".equals(queue.job(job).get("state").asText()));
            assertThat(queue.job(job).get("attempt").asInt()).isEqualTo(2);
            assertThat(queue.job(job).get("runnerId").asText()).isEqualTo(other.identity().id());
        }
    }

    @Test
    void anUnreachableServiceAtStartIsAClearErrorAndExitOne() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        List<String> args = args(RunnerIT.unique("nowhere"), "--session-url", "http://127.0.0.1:" + closed,
                "--startup-timeout", "2s");
        try (RunnerProcess runner = RunnerProcess.start(args)) {
            assertThat(runner.awaitExit(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(runner.output()).contains("fleet-runner: cannot start: cannot reach http://127.0.0.1:" + closed);
        }
    }

    @Test
    void aBadOptionIsRefusedWithExitTwo() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(List.of("--concurrency", "zero", "--token", "t"))) {
            assertThat(runner.awaitExit(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(runner.output()).contains("--concurrency must be a whole number from 1 to 256, got 'zero'");
        }
    }

    private static List<String> args(String name, String... extra) {
        List<String> args = new ArrayList<>(List.of("--pool", name, "--port", "0", "--queue-url", services.queue.url(),
                "--session-url", services.session.url(), "--telemetry-url", services.telemetry.url(), "--token",
                FleetServices.RUNNER, "--claim-wait", "1s"));
        args.addAll(List.of(extra));
        return args;
    }
}
