package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.fleet.client.Acknowledgement;
import dev.fleet.client.BatchCompleter;
import dev.fleet.client.ClaimAhead;
import dev.fleet.client.ClaimAheadSizing;
import dev.fleet.client.ClaimedJob;
import dev.fleet.client.FleetApiException;
import dev.fleet.client.FleetClient;
import dev.fleet.runner.job.JobHandlers;

/** Batched outcomes and claim-ahead, in the client and in the runner, against the real services. */
class JobPathIT extends AgainstFleetServices {

    @Test
    void outcomesFromManyThreadsShareFewRequestsAndEachLearnsItsOwnAnswer() throws Exception {
        String name = RunnerIT.unique("batch");
        try (FleetClient fleet = new FleetClient(services.clientConfig())) {
            queue.enqueue(name, "noop", Collections.nCopies(41, Map.of()));
            List<ClaimedJob> jobs = fleet.queue().claim(name, "batch-it", 41, Duration.ZERO);
            assertThat(jobs).hasSize(41);
            ClaimedJob lost = jobs.getLast(); // cancelled while it ran: its lease is gone
            assertThat(queue.post("/jobs/" + lost.id() + "/cancel", null, FleetServices.ADMIN).status()).isEqualTo(200);

            double requestsBefore = leaseRequests("/leases/complete") + leaseRequests("/leases/fail");
            List<CompletableFuture<Acknowledgement>> answers = new ArrayList<>();
            try (BatchCompleter completer = new BatchCompleter(fleet.queue(), Duration.ofMillis(300), 200)) {
                List<CompletableFuture<CompletableFuture<Acknowledgement>>> submitted = IntStream.range(0, 41)
                        .mapToObj(i -> CompletableFuture.supplyAsync(() -> i % 4 == 3
                                ? completer.fail(jobs.get(i), "boom " + i, false)
                                : completer.complete(jobs.get(i), JsonNodeFactory.instance.numberNode(i))))
                        .toList();
                for (var future : submitted) {
                    answers.add(future.get(10, TimeUnit.SECONDS));
                }
                for (var answer : answers) {
                    answer.get(30, TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < 40; i++) {
                assertThat(answers.get(i).get()).isEqualTo(Acknowledgement.ACKNOWLEDGED);
                JsonNode job = queue.job(jobs.get(i).id());
                assertThat(job.get("state").asText()).isEqualTo(i % 4 == 3 ? "dead" : "succeeded");
                if (i % 4 != 3) {
                    assertThat(job.get("result").asInt()).isEqualTo(i);
                }
            }
            assertThat(answers.get(40).get()).isEqualTo(Acknowledgement.LEASE_LOST);
            // 41 outcomes, a handful of requests (each kind at least one; the window gathers the rest).
            double requests = leaseRequests("/leases/complete") + leaseRequests("/leases/fail") - requestsBefore;
            assertThat(requests).isBetween(2.0, 8.0);
        }
    }

    @Test
    void aBatchRefusedAsAWholeIsSentItemByItemSoOnlyTheBadOneFails() throws Exception {
        String name = RunnerIT.unique("refused");
        try (FleetClient fleet = new FleetClient(services.clientConfig());
                BatchCompleter completer = new BatchCompleter(fleet.queue(), Duration.ofMillis(200), 200)) {
            queue.enqueue(name, "noop", Collections.nCopies(3, Map.of()));
            List<ClaimedJob> jobs = fleet.queue().claim(name, "refused-it", 3, Duration.ZERO);
            JsonNode tooBig = JsonNodeFactory.instance.textNode("x".repeat(300 * 1024)); // over the 256 KiB limit
            CompletableFuture<Acknowledgement> first = completer.complete(jobs.get(0), null);
            CompletableFuture<Acknowledgement> bad = completer.complete(jobs.get(1), tooBig);
            CompletableFuture<Acknowledgement> third = completer.complete(jobs.get(2), null);

            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            assertThat(third.get(30, TimeUnit.SECONDS)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            await().atMost(Duration.ofSeconds(30)).until(bad::isDone);
            assertThat(bad).isCompletedExceptionally();
            assertThat(bad.exceptionNow()).isInstanceOfSatisfying(FleetApiException.class,
                    e -> assertThat(e.status()).isEqualTo(413));
            assertThat(queue.job(jobs.get(1).id()).get("state").asText()).isEqualTo("running");
        }
    }

    @Test
    void aBatchHandedOverWhileQueueServiceIsDownIsDeliveredWhenItReturns() throws Exception {
        String name = RunnerIT.unique("batchdown");
        // Leases outlast a slow restart on a loaded machine (a lapsed one would rightly answer lease-lost).
        queue.put("/queues/" + name, Map.of("leaseMs", 600_000));
        try (FleetClient fleet = new FleetClient(services.clientConfig());
                BatchCompleter completer = new BatchCompleter(fleet.queue(), BatchCompleter.WINDOW_DEFAULT, 200)) {
            List<Long> ids = queue.enqueue(name, "noop", Collections.nCopies(5, Map.of()));
            List<ClaimedJob> jobs = fleet.queue().claim(name, "down-it", 5, Duration.ZERO);

            services.queue.kill();
            List<CompletableFuture<Acknowledgement>> answers = jobs.stream()
                    .map(job -> completer.complete(job, JsonNodeFactory.instance.numberNode(job.id()))).toList();
            Thread.sleep(1500); // queue-service stays away a while; nothing may give up meanwhile
            assertThat(answers).noneMatch(CompletableFuture::isDone);
            services.queue.start();

            for (CompletableFuture<Acknowledgement> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            }
            for (long id : ids) {
                JsonNode job = queue.job(id);
                assertThat(job.get("state").asText()).isEqualTo("succeeded");
                assertThat(job.get("result").asLong()).isEqualTo(id);
            }
        }
    }

    @Test
    void claimAheadHoldsAtMostSlotsPlusAheadKeepsBufferedLeasesAndGivesTheBufferBack() throws Exception {
        String name = RunnerIT.unique("ahead");
        queue.put("/queues/" + name, Map.of("leaseMs", 600));
        List<Long> ids = queue.enqueue(name, "noop", Collections.nCopies(10, Map.of()));
        List<Long> taken = new ArrayList<>();
        try (FleetClient fleet = new FleetClient(services.clientConfig());
                ClaimAhead feed = new ClaimAhead(fleet.queue(), name, "ahead-it", 2, 3, Duration.ofMillis(200))) {
            feed.start();
            ClaimedJob first = feed.take(Duration.ofSeconds(10));
            ClaimedJob second = feed.take(Duration.ofSeconds(10));
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            // Two taken, three buffered, and a full buffer claims nothing more.
            await().atMost(Duration.ofSeconds(10)).until(() -> feed.buffered() == 3);
            assertThat(depth(name, "available")).isEqualTo(5);
            assertThat(feed.held()).isEqualTo(5);

            // Several lease times later the buffered jobs are still ours: their leases were extended.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() > until);
            assertThat(feed.leasesLost()).isZero();
            ClaimedJob third = feed.take(Duration.ofSeconds(1));
            assertThat(fleet.queue().complete(third, null)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            feed.done(third);
            ClaimedJob fourth = feed.take(Duration.ofSeconds(1));
            assertThat(fleet.queue().complete(fourth, null)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            feed.done(fourth);
            taken.addAll(List.of(first.id(), second.id(), third.id(), fourth.id()));

            // Once the buffer can no longer feed every slot, the room that opened is claimed again;
            // on stop the buffer goes back, attempts not counted.
            await().atMost(Duration.ofSeconds(10)).until(() -> feed.buffered() >= 2); // one was taken from 2
            int buffered = feed.buffered();
            assertThat(feed.stop()).isEqualTo(buffered);
            assertThat(feed.buffered()).isZero();
        }
        for (long id : ids) {
            if (!taken.contains(id)) { // the buffered ones and those never claimed
                JsonNode job = queue.job(id);
                assertThat(job.get("state").asText()).isEqualTo("available");
                assertThat(job.get("attempt").asInt()).isZero();
            }
        }
    }

    @Test
    void anAdaptiveBufferGrowsWhileJobsFinishFastWithinItsCeilingAndShrinksWhenTheyStop() throws Exception {
        String name = RunnerIT.unique("adaptive");
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.addAll(queue.enqueue(name, "noop", Collections.nCopies(1000, Map.of())));
        }
        ClaimAheadSizing sizing = new ClaimAheadSizing(2, 40, Duration.ofSeconds(1));
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicBoolean consuming = new AtomicBoolean(true);
        AtomicInteger acknowledged = new AtomicInteger();
        try (FleetClient fleet = new FleetClient(services.clientConfig());
                BatchCompleter completer = new BatchCompleter(fleet.queue(), BatchCompleter.WINDOW_DEFAULT, 200);
                ClaimAhead feed = new ClaimAhead(fleet.queue(), name, "adaptive-it", 2, sizing, Duration.ofMillis(200))) {
            feed.start();
            assertThat(feed.ahead()).isEqualTo(2);
            Thread consumer = Thread.ofPlatform().start(() -> {
                try {
                    while (consuming.get()) {
                        mostHeld.accumulateAndGet(feed.held(), Math::max);
                        ClaimedJob job = feed.take(Duration.ofMillis(100));
                        if (job != null) {
                            completer.complete(job, null).whenComplete((ack, error) -> {
                                if (ack == Acknowledgement.ACKNOWLEDGED) {
                                    acknowledged.incrementAndGet();
                                }
                                feed.done(job);
                            });
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // Jobs finishing at tens per second or more want more than the 2 of the floor.
            await().atMost(Duration.ofSeconds(120)).until(() -> feed.ahead() > 10);
            consuming.set(false);
            consumer.join();
            // Nothing finishes any more: the buffer falls back to its floor, and claims nothing
            // beyond it (what it already held stays until it is taken or given back).
            await().atMost(Duration.ofSeconds(30)).until(() -> feed.ahead() == 2);
            assertThat(mostHeld.get()).isLessThanOrEqualTo(2 + 40);
            int heldThen = feed.held();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() > until);
            assertThat(feed.held()).isLessThanOrEqualTo(Math.max(heldThen, 2 + 2));
            feed.stop();
            assertThat(feed.buffered()).isZero();
        }
        // Every job done once or back in the queue, none left held.
        assertThat(depth(name, "running")).isZero();
        assertThat(depth(name, "available")).isEqualTo(ids.size() - acknowledged.get());
    }

    @Test
    void theRunnerClaimsAheadAndItsDrainGivesBufferedAndRunningJobsBack() throws Exception {
        String name = RunnerIT.unique("drain");
        List<Long> ids = queue.enqueue(name, "sleep", Collections.nCopies(8, Map.of("ms", 60_000)));
        Runner runner = new Runner(services.runnerConfig(name, 2, "--claim-ahead", "3", "--grace", "1s"),
                JobHandlers.builtIn(false)).start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runner.jobs().busySlots() == 2
                    && runner.jobs().bufferedJobs() == 3);
            assertThat(depth(name, "available")).isEqualTo(3);
            assertThat(depth(name, "running")).isEqualTo(5);

            runner.shutdown();
            assertThat(runner.jobs().stats().released()).isEqualTo(5);
            assertThat(depth(name, "available")).isEqualTo(8);
            for (long id : ids) {
                assertThat(queue.job(id).get("attempt").asInt()).isZero();
            }
        } finally {
            runner.close();
        }
    }

    @Test
    void theRunnerWithBatchedOutcomesRunsEveryJobOnce() throws Exception {
        String name = RunnerIT.unique("many");
        List<Long> ids = queue.enqueue(name, "noop", IntStream.range(0, 400).mapToObj(i -> Map.<String, Object>of())
                .toList());
        try (Runner runner = new Runner(services.runnerConfig(name, 8), JobHandlers.builtIn(false)).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.jobs().stats().completed() == ids.size());
            for (long id : ids) {
                JsonNode job = queue.job(id);
                assertThat(job.get("state").asText()).isEqualTo("succeeded");
                assertThat(job.get("attempt").asInt()).isEqualTo(1);
            }
            assertThat(runner.jobs().stats().claimed()).isEqualTo(ids.size());
            assertThat(runner.jobs().stats().leasesLost()).isZero();
        }
    }

    private static int depth(String queueName, String state) {
        return queue.get("/queues/" + queueName).body().path("stats").path("depth").path(state).asInt();
    }

    /** Requests queue-service has answered on a path, from its Prometheus metrics. */
    private static double leaseRequests(String uri) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(services.queue.url() + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return metrics.body().lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{")
                        && line.contains("uri=\"" + uri + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
