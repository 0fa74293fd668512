package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code kill -9} under load with the runner's batched outcomes and claim-ahead, as processes
 * (the process-level sibling of queue-service's {@code QueueCrashIT}): runner processes work a
 * queue that keeps being fed while queue-service, or one runner, is killed. Afterwards every
 * enqueued job has succeeded, and (queue-service killed) the runners acknowledged exactly one
 * completion per job: none lost, none twice.
 */
class RunnerCrashIT extends AgainstFleetServices {

    private static final Pattern STOPPED = Pattern.compile("stopped: (\\d+) jobs completed");

    @Test
    void killMinusNineOfQueueServiceUnderLoadLosesNoJobAndAcknowledgesNoneTwice() throws Exception {
        String name = RunnerIT.unique("qcrash");
        queue.put("/queues/" + name, Map.of("leaseMs", 3000, "maxAttempts", 10));
        try (RunnerProcess a = RunnerProcess.start(args(name)); RunnerProcess b = RunnerProcess.start(args(name))) {
            a.awaitReady();
            b.awaitReady();
            List<Long> ids = new ArrayList<>(queue.enqueue(name, "sleep", Collections.nCopies(500, Map.of("ms", 2))));
            CompletableFuture<List<Long>> more = CompletableFuture.supplyAsync(() -> enqueueWhileAble(name, 1500));
            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(name) >= 300);

            services.queue.kill(); // mid-batch: outcomes handed over, claims in flight
            services.queue.start();
            ids.addAll(more.get(120, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> nothingLive(name));

            a.signal("TERM");
            b.signal("TERM");
            assertThat(a.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(b.awaitExit(Duration.ofSeconds(30))).isZero();
            for (long id : ids) {
                assertThat(queue.job(id).get("state").asText()).as("job %d", id).isEqualTo("succeeded");
            }
            // Every job's success was acknowledged to exactly one runner exactly once.
            assertThat(completed(a) + completed(b)).isEqualTo(ids.size());
        }
    }

    @Test
    void killMinusNineOfARunnerUnderLoadLosesNoJob() throws Exception {
        String name = RunnerIT.unique("rcrash");
        queue.put("/queues/" + name, Map.of("leaseMs", 1500, "maxAttempts", 10));
        try (RunnerProcess victim = RunnerProcess.start(args(name)); RunnerProcess survivor = RunnerProcess.start(args(name))) {
            victim.awaitReady();
            survivor.awaitReady();
            List<Long> ids = new ArrayList<>(queue.enqueue(name, "sleep", Collections.nCopies(1000, Map.of("ms", 5))));
            ids.addAll(queue.enqueue(name, "sleep", Collections.nCopies(500, Map.of("ms", 5))));
            await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(name) >= 300);

            victim.killHard(); // its running, buffered and unanswered jobs come back when their leases end
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> nothingLive(name));

            int rerun = 0;
            for (long id : ids) {
                JsonNode job = queue.job(id);
                assertThat(job.get("state").asText()).as("job %d", id).isEqualTo("succeeded");
                rerun += job.get("attempt").asInt() > 1 ? 1 : 0;
            }
            // Only what the victim held can have run again: at most its slots + claim-ahead.
            assertThat(rerun).isLessThanOrEqualTo(4 + 4);
            survivor.signal("TERM");
            assertThat(survivor.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }

    private static List<Long> enqueueWhileAble(String name, int count) {
        List<Long> ids = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (ids.size() < count && System.nanoTime() < until) {
            try {
                ids.addAll(queue.enqueue(name, "sleep", Collections.nCopies(50, Map.of("ms", 2))));
            } catch (IllegalStateException downOrRefused) { // queue-service is away: try again
                pause();
            }
        }
        return ids;
    }

    private static int completed(RunnerProcess runner) throws Exception {
        Matcher stopped = STOPPED.matcher(runner.output());
        assertThat(stopped.find()).as("the runner's last line: %s", runner.output()).isTrue();
        return Integer.parseInt(stopped.group(1));
    }

    /** No job of the queue available, running or waiting for a retry (false while queue-service is away). */
    private static boolean nothingLive(String name) {
        try {
            JsonNode depth = queue.get("/queues/" + name).body().path("stats").path("depth");
            return depth.path("available").asInt() + depth.path("running").asInt() + depth.path("failed").asInt() == 0;
        } catch (IllegalStateException down) {
            return false;
        }
    }

    private static int succeeded(String name) {
        try {
            return queue.get("/queues/" + name).body().path("stats").path("finishedLastMinute").path("succeeded").asInt();
        } catch (IllegalStateException down) {
            return 0;
        }
    }

    private static List<String> args(String name) {
        return List.of("--pool", name, "--concurrency", "4", "--claim-ahead", "4", "--port", "0",
                "--queue-url", services.queue.url(), "--session-url", services.session.url(), "--telemetry-url",
                services.telemetry.url(), "--token", FleetServices.RUNNER, "--claim-wait", "1s", "--grace", "10s");
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
