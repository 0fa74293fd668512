package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.fleet.client.Acknowledgement;
import dev.fleet.client.ClaimedJob;
import dev.fleet.client.FleetApiException;
import dev.fleet.client.FleetClient;
import dev.fleet.client.FleetClientConfig;
import dev.fleet.client.HostLoad;
import dev.fleet.client.JobOutcome;
import dev.fleet.client.RegisteredRunner;
import dev.fleet.client.RetryPolicy;
import dev.fleet.client.RunnerLoad;
import dev.fleet.client.RunnerRegistration;
import dev.fleet.client.ServiceUnreachableException;
import dev.fleet.client.TelemetryReporter;

/** The Java client against the real services, including one that goes away mid-call. */
class ClientIT extends AgainstFleetServices {

    @Test
    void aCompletionSentWhileQueueServiceIsDownIsDeliveredWhenItReturns() throws Exception {
        String name = RunnerIT.unique("down");
        try (FleetClient fleet = new FleetClient(services.clientConfig())) {
            long id = queue.enqueue(name, "noop", List.of(Map.of())).getFirst();
            ClaimedJob job = fleet.queue().claim(name, "client-it", 1, Duration.ZERO).getFirst();
            assertThat(job.id()).isEqualTo(id);

            services.queue.kill();
            CompletableFuture<Acknowledgement> completion = CompletableFuture.supplyAsync(
                    () -> fleet.queue().complete(job, JsonNodeFactory.instance.objectNode().put("answer", 42)));
            // An outage on purpose, not a wait for something: 1.5 s of it, and a slower machine only
            // makes the client retry longer before the check.
            Thread.sleep(1500);
            assertThat(completion).isNotDone(); // still retrying, not given up
            services.queue.start();

            assertThat(completion.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Acknowledgement.ACKNOWLEDGED);
            JsonNode done = queue.job(id);
            assertThat(done.get("state").asText()).isEqualTo("succeeded");
            assertThat(done.get("result").get("answer").asInt()).isEqualTo(42);
        }
    }

    @Test
    void aProducerAwaitsTheResultOfAJobTheRunnerRuns() throws Exception {
        String name = RunnerIT.unique("await");
        try (Runner runner = new Runner(services.runnerConfig(name, 1), dev.fleet.runner.job.JobHandlers.builtIn(false)).start();
             FleetClient producer = new FleetClient(services.clientConfig())) {
            long id = producer.queue().enqueue(name, "sleep", Map.of("ms", 300));
            JobOutcome outcome = producer.results().awaitResult(id, Duration.ofSeconds(60));
            assertThat(outcome.finished()).isTrue();
            assertThat(outcome.state()).isEqualTo("succeeded");
            assertThat(outcome.result().get("sleptMs").asInt()).isEqualTo(300);

            long later = producer.queue().enqueue(name, "sleep", Map.of("ms", 60_000));
            JobOutcome unfinished = producer.results().awaitResult(later, Duration.ofMillis(300));
            assertThat(unfinished.finished()).isFalse();
            assertThatThrownBy(() -> producer.results().awaitResult(99_999_999_999L, Duration.ofSeconds(1)))
                    .isInstanceOf(FleetApiException.class).hasMessageContaining("job-not-found");
        }
    }

    @Test
    void aCompletionAfterTheLeaseWasLostSaysSo() throws Exception {
        String name = RunnerIT.unique("lost");
        queue.put("/queues/" + name, Map.of("leaseMs", 500));
        try (FleetClient fleet = new FleetClient(services.clientConfig())) {
            long id = queue.enqueue(name, "noop", List.of(Map.of())).getFirst();
            ClaimedJob job = fleet.queue().claim(name, "client-it", 1, Duration.ZERO).getFirst();
            await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(queue.job(id).get("state").asText()));

            assertThat(fleet.queue().complete(job, null)).isEqualTo(Acknowledgement.LEASE_LOST);
            assertThat(queue.job(id).get("state").asText()).isNotEqualTo("succeeded");
        }
    }

    @Test
    void heartbeatsCarryThisMachinesRealFigures() {
        try (FleetClient fleet = new FleetClient(services.clientConfig())) {
            RegisteredRunner runner = fleet.sessions().register(new RunnerRegistration(RunnerIT.unique("hb"),
                    "http://127.0.0.1:1", null, 1, null, Map.of(), "it"));
            HostLoad host = new HostLoad();
            double memory = host.memoryPercent();
            fleet.sessions().heartbeat(runner, new RunnerLoad(host.cpuPercent(), memory, 0, 3, 12.5, null, null, null));

            JsonNode seen = services.sessionApi().get("/runners/" + runner.id()).body();
            assertThat(memory).isBetween(0.1, 100.0);
            assertThat(seen.get("memoryPercent").asDouble()).isEqualTo(memory);
            assertThat(seen.get("activeConnections").asInt()).isEqualTo(3);
            fleet.sessions().deregister(runner, false);
        }
    }

    @Test
    void telemetryGoesOutInBatches() {
        String source = RunnerIT.unique("tel");
        try (FleetClient fleet = new FleetClient(services.clientConfig());
                TelemetryReporter telemetry = fleet.telemetry(source, Duration.ofHours(1), 250, 2000, 0)) {
            for (int i = 0; i < 600; i++) {
                telemetry.record("it.batch", Duration.ofMillis(i), i % 10 != 0, Map.of("i", i));
            }
            telemetry.flush();
            assertThat(telemetry.sent()).isEqualTo(600);
            JsonNode summary = services.telemetryApi().get("/samples/summary?source=" + source).body();
            assertThat(summary.get("features").get(0).get("count").asInt()).isEqualTo(600);
            assertThat(summary.get("features").get(0).get("errors").asInt()).isEqualTo(60);
        }
    }

    @Test
    void aRefusedCallIsAProblemWithItsTypeAndAnUnreachableServiceGivesUpInTime() throws Exception {
        FleetClientConfig wrongToken = new FleetClientConfig(URI.create(services.queue.url()),
                URI.create(services.session.url()), null, "not-a-token", Duration.ofSeconds(1), Duration.ofSeconds(5),
                RetryPolicy.DEFAULT);
        try (FleetClient fleet = new FleetClient(wrongToken)) {
            assertThatThrownBy(() -> fleet.queue().claim("any", "r", 1, Duration.ZERO))
                    .isInstanceOfSatisfying(FleetApiException.class, e -> assertThat(e.status()).isEqualTo(401));
        }

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RetryPolicy briefly = new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(1));
        FleetClientConfig nowhere = new FleetClientConfig(URI.create("http://127.0.0.1:" + closedPort),
                URI.create("http://127.0.0.1:" + closedPort), null, FleetServices.RUNNER, Duration.ofSeconds(1),
                Duration.ofSeconds(5), briefly);
        try (FleetClient fleet = new FleetClient(nowhere)) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> fleet.queue().claim("any", "r", 1, Duration.ZERO))
                    .isInstanceOf(ServiceUnreachableException.class)
                    .hasMessageContaining("cannot reach http://127.0.0.1:" + closedPort);
            // Retried for its 1 s budget, then gave up: refused connects are instant, so the rest is slack
            // for a loaded machine (the default policy would go on for 30 s).
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(700),
                    Duration.ofSeconds(20));
        }
    }
}
