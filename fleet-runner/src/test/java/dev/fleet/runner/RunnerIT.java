package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleet.runner.job.JobFailure;
import dev.fleet.runner.job.JobHandlers;

/** The reference runner, in this JVM, against the real services. */
class RunnerIT extends AgainstFleetServices {

    @Test
    void registersTakesJobsCompletesThemAndReportsTelemetry() throws Exception {
        String name = unique("run");
        try (Runner runner = new Runner(services.runnerConfig(name, 4), JobHandlers.builtIn(false)).start()) {
            JsonNode registered = sessions.get("/runners/" + runner.identity().id()).body();
            assertThat(registered.get("pool").asText()).isEqualTo(name);
            assertThat(registered.get("endpoint").asText()).isEqualTo("http://127.0.0.1:" + runner.port());

            List<Long> ids = queue.enqueue(name, "sleep", IntStream.range(0, 20)
                    .mapToObj(i -> Map.<String, Object>of("ms", 20)).toList());
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream()
                    .allMatch(id -> "succeeded".equals(queue.job(id).get("state").asText())));
            for (long id : ids) {
                JsonNode job = queue.job(id);
                assertThat(job.get("attempt").asInt()).isEqualTo(1);
                assertThat(job.get("runnerId").asText()).isEqualTo(runner.identity().id());
                assertThat(job.get("result").get("sleptMs").asInt()).isEqualTo(20);
            }
            assertThat(runner.jobs().stats().completed()).isEqualTo(20);

            // Heartbeats carry real figures; job timings reach telemetry-service in batches.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode now = sessions.get("/runners/" + runner.identity().id()).body();
                // Real figures: on a machine whose CPU is busy (above 90 %) the honest answer is "degraded".
                assertThat(now.get("health").asText()).isIn("healthy", "degraded");
                assertThat(now.path("memoryPercent").asDouble()).isPositive();
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(services.telemetryApi()
                    .get("/samples?source=" + runner.identity().id() + "&feature=job.sleep&limit=100").body()
                    .get("samples")).hasSize(20));
            // Each sample carries the job's class and wait, and telemetry-service's SLOs count them.
            JsonNode samples = services.telemetryApi()
                    .get("/samples?source=" + runner.identity().id() + "&feature=job.sleep&limit=100").body().get("samples");
            samples.forEach(sample -> {
                assertThat(sample.at("/attributes/priority").asText()).isEqualTo("P3");
                assertThat(sample.at("/attributes/waitMs").isNumber()).isTrue();
                assertThat(sample.at("/attributes/waitMs").asLong()).isNotNegative();
            });
            JsonNode slos = services.telemetryApi().get("/slos?window=PT1H").body().get("slos");
            assertThat(slos).filteredOn(slo -> name.equals(slo.get("scope").asText())).singleElement()
                    .satisfies(slo -> {
                        assertThat(slo.get("objective").asText()).isEqualTo("job-wait");
                        assertThat(slo.get("priority").asText()).isEqualTo("P3");
                        assertThat(slo.get("samples").asLong()).isEqualTo(20);
                        assertThat(slo.get("ratio").asDouble()).isBetween(0.0, 1.0);
                    });
        }
    }

    @Test
    void withoutClaimAheadClaimsOnlyAsManyJobsAsItHasFreeSlots() throws Exception {
        String name = unique("slots");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        // Each job holds its slot until the test lets go, so the two running ones cannot end (and
        // free a slot) while the test looks at the queue, however slowly the machine runs.
        JobHandlers handlers = JobHandlers.builtIn(false).with("track", job -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            release.await();
            running.decrementAndGet();
            return null;
        });
        try (Runner runner = new Runner(services.runnerConfig(name, 2, "--claim-ahead", "0"), handlers).start()) {
            List<Long> ids = queue.enqueue(name, "track", Collections.nCopies(6, Map.of()));
            await().atMost(Duration.ofSeconds(30)).until(() -> running.get() == 2);
            // The other four wait in the queue, not in this runner.
            assertThat(queue.get("/queues/" + name).body().path("stats").path("depth").path("available").asInt()).isEqualTo(4);
            release.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.jobs().stats().completed() == ids.size());
            assertThat(mostAtOnce.get()).isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    @Test
    void twoRunnersShareAQueueAndNoJobRunsTwice() throws Exception {
        String name = unique("share");
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        JobHandlers handlers = JobHandlers.builtIn(false).with("count", job -> {
            runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(5);
            return null;
        });
        try (Runner first = new Runner(services.runnerConfig(name, 4), handlers).start();
                Runner second = new Runner(services.runnerConfig(name, 4), handlers).start()) {
            List<Long> ids = queue.enqueue(name, "count", Collections.nCopies(300, Map.of()));
            await().atMost(Duration.ofSeconds(60)).until(() -> first.jobs().stats().completed()
                    + second.jobs().stats().completed() == ids.size());
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(runs.values()).allMatch(count -> count.get() == 1);
            assertThat(first.jobs().stats().completed()).isPositive();
            assertThat(second.jobs().stats().completed()).isPositive();
        }
    }

    @Test
    void leaseHeartbeatsKeepALongJobItsOwn() throws Exception {
        String name = unique("lease");
        // Beats go out a third of the way into each lease: a 3 s lease leaves a loaded machine 2 s of slack.
        assertThat(queue.put("/queues/" + name, Map.of("leaseMs", 3000)).status()).isEqualTo(200);
        try (Runner runner = new Runner(services.runnerConfig(name, 1), JobHandlers.builtIn(false)).start()) {
            long id = queue.enqueue(name, "sleep", List.of(Map.of("ms", 7000))).getFirst();
            await().atMost(Duration.ofSeconds(60)).until(() -> "succeeded".equals(queue.job(id).get("state").asText()));
            assertThat(queue.job(id).get("attempt").asInt()).isEqualTo(1);
            assertThat(runner.jobs().stats().leasesLost()).isZero();
        }
    }

    @Test
    void failuresAreReportedRetryableOrNotAndUnknownKindsGoDead() throws Exception {
        String name = unique("fail");
        queue.put("/queues/" + name, Map.of("maxAttempts", 2, "backoffBaseMs", 10));
        JobHandlers handlers = JobHandlers.builtIn(false)
                .with("flaky", job -> {
                    throw new IllegalStateException("flaky on attempt " + job.attempt());
                })
                .with("broken", job -> {
                    throw new JobFailure("the input can never work", false);
                });
        try (Runner runner = new Runner(services.runnerConfig(name, 2), handlers).start()) {
            long flaky = queue.enqueue(name, "flaky", List.of(Map.of())).getFirst();
            long broken = queue.enqueue(name, "broken", List.of(Map.of())).getFirst();
            long unknown = queue.enqueue(name, "no-such-kind", List.of(Map.of())).getFirst();
            await().atMost(Duration.ofSeconds(60)).until(() -> List.of(flaky, broken, unknown).stream()
                    .allMatch(id -> "dead".equals(queue.job(id).get("state").asText())));
            assertThat(queue.job(flaky).get("attempt").asInt()).isEqualTo(2);
            assertThat(queue.job(flaky).get("errors").toString()).contains("flaky on attempt 1", "flaky on attempt 2");
            assertThat(queue.job(broken).get("attempt").asInt()).isEqualTo(1);
            assertThat(queue.job(broken).get("deadReason").asText()).isEqualTo("non-retryable");
            assertThat(queue.job(unknown).get("errors").toString()).contains("no handler for job kind 'no-such-kind'");
        }
    }

    @Test
    void shutdownLetsShortJobsFinishGivesBackLongOnesAndDeregisters() throws Exception {
        String name = unique("drain");
        Runner runner = new Runner(services.runnerConfig(name, 2, "--grace", "6s"), JobHandlers.builtIn(false))
                .start();
        try {
            // One batch, so both are claimed together: the quick one cannot end before the slow one starts.
            List<Long> both = queue.enqueue(name, "sleep", List.of(Map.of("ms", 2000), Map.of("ms", 60_000)));
            long quick = both.get(0);
            long slow = both.get(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.jobs().busySlots() == 2);
            long started = System.nanoTime();
            runner.shutdown();
            // The grace (6 s), not the slow job (60 s): it gave the slow one back instead of waiting.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));

            assertThat(queue.job(quick).get("state").asText()).isEqualTo("succeeded");
            JsonNode givenBack = queue.job(slow);
            assertThat(givenBack.get("state").asText()).isEqualTo("available");
            assertThat(givenBack.get("attempt").asInt()).isZero(); // released: the attempt is not counted
            assertThat(sessions.get("/runners/" + runner.identity().id()).status()).isEqualTo(404);
        } finally {
            runner.close();
        }
    }

    @Test
    void carriesOutTheSessionOperationsAssignedToIt() throws Exception {
        String name = unique("sess");
        try (Runner runner = new Runner(services.runnerConfig(name, 2), JobHandlers.builtIn(false)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> "healthy".equals(
                    sessions.get("/runners/" + runner.identity().id()).body().get("health").asText()));
            Api.Answer created = sessions.post("/sessions", Map.of("pool", name, "labels", Map.of(), "owner", "it", "kind", "agent"),
                    FleetServices.CLIENT);
            assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(202);
            String session = created.body().get("target").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> "running".equals(
                    sessions.get("/sessions/" + session).body().get("state").asText()));

            sessions.post("/sessions/" + session + "/stop", null, FleetServices.CLIENT);
            await().atMost(Duration.ofSeconds(30)).until(() -> "stopped".equals(
                    sessions.get("/sessions/" + session).body().get("state").asText()));
            List<String> types = new ArrayList<>();
            sessions.get("/sessions/" + session + "/events").body().get("events")
                    .forEach(event -> types.add(event.get("type").asText()));
            assertThat(types).containsSubsequence("runner.start", "runner.stop");
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
