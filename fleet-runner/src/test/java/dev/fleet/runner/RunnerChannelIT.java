package dev.fleet.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.fleet.platform.process.ServiceProcess;
import dev.fleet.runner.job.JobHandlers;

/**
 * The runner channel between real processes: the reference runner and two session-service
 * replicas on one database. Operations reach the runner pushed on its socket; with the channel
 * off it polls; and when the replica holding its socket is killed with SIGKILL the runner
 * reconnects to the other one and no operation is lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunnerChannelIT {

    private static final Pattern FIRST_PUSHES = Pattern.compile(
            "fleet_session_channel_pushes_total\\{delivery=\"first\"[^}]*} ([0-9.E]+)");

    /** The runner reports this machine's real CPU: on a busy test machine it would read as degraded, unplaceable. */
    private static final String[] IGNORE_HOST_LOAD = {"-Dfleet.session.runners.overload-cpu-percent=101",
        "-Dfleet.session.runners.overload-memory-percent=101"};

    static ServiceProcess queue;
    static ServiceProcess replicaA;
    static ServiceProcess replicaB;

    @BeforeAll
    static void startServices() throws Exception {
        queue = ServiceProcess.ofModule("queue-service").start();
        replicaA = ServiceProcess.ofModule("session-service", IGNORE_HOST_LOAD).start();
        replicaB = ServiceProcess.ofModule("session-service", IGNORE_HOST_LOAD).start();
    }

    @AfterAll
    static void stopServices() throws Exception {
        replicaB.close();
        replicaA.close();
        queue.close();
    }

    private static RunnerConfig config(String pool, String sessionUrl, String channelUrls) {
        return RunnerConfig.parse(new String[] {"--pool", pool, "--concurrency", "1", "--max-sessions", "16", "--port", "0",
                "--queue-url", queue.url(), "--session-url", sessionUrl, "--telemetry-url", "none",
                "--token", FleetServices.RUNNER, "--claim-wait", "1s", "--grace", "2s", "--channel-urls", channelUrls},
                Map.of());
    }

    /** Creates a session, retrying while the pool has no healthy runner yet (its first heartbeat, a busy CPU). */
    private static String createSession(Api api, String pool) {
        Api.Answer[] created = new Api.Answer[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            created[0] = api.post("/sessions", Map.of("pool", pool, "labels", Map.of(), "owner", "it", "kind", "agent"),
                    FleetServices.CLIENT);
            return created[0].status() != 503;
        });
        assertThat(created[0].status()).as(String.valueOf(created[0].body())).isEqualTo(202);
        return created[0].body().get("target").asText();
    }

    private static String state(Api api, String session) {
        return api.get("/sessions/" + session).body().get("state").asText();
    }

    private static double scrape(ServiceProcess replica) {
        try {
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create(replica.url() + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            Matcher m = FIRST_PUSHES.matcher(response.body());
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(1)
    void operationsArrivePushedOnTheChannel() throws Exception {
        String pool = "chan-" + UUID.randomUUID().toString().substring(0, 8);
        Api api = new Api(replicaA.url());
        try (Runner runner = new Runner(config(pool, replicaA.url(), replicaA.url()), JobHandlers.builtIn(false)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.channel().isOpen());
            double before = scrape(replicaA);
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sessions.add(createSession(api, pool));
            }
            for (String session : sessions) {
                await().atMost(Duration.ofSeconds(30)).until(() -> "running".equals(state(api, session)));
            }
            assertThat(scrape(replicaA) - before).isGreaterThanOrEqualTo(sessions.size());
            api.post("/sessions/" + sessions.get(0) + "/stop", null, FleetServices.CLIENT);
            await().atMost(Duration.ofSeconds(30)).until(() -> "stopped".equals(state(api, sessions.get(0))));
        }
    }

    @Test
    @Order(2)
    void withTheChannelOffTheRunnerPolls() throws Exception {
        String pool = "poll-" + UUID.randomUUID().toString().substring(0, 8);
        Api api = new Api(replicaB.url());
        try (Runner runner = new Runner(config(pool, replicaB.url(), "none"), JobHandlers.builtIn(false)).start()) {
            assertThat(runner.channel()).isNull();
            String session = createSession(api, pool);
            await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(state(api, session)));
        }
    }

    /** Last: it leaves replica A killed. */
    @Test
    @Order(3)
    void whenTheReplicaHoldingTheSocketIsKilledTheRunnerReconnectsToTheOtherAndLosesNoOperation() throws Exception {
        String pool = "kill-" + UUID.randomUUID().toString().substring(0, 8);
        Api survivor = new Api(replicaB.url());
        // REST goes to B, the channel prefers A: killing A leaves the runner only its socket to lose.
        try (Runner runner = new Runner(config(pool, replicaB.url(), replicaA.url() + "," + replicaB.url()),
                JobHandlers.builtIn(false)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.channel().isOpen());
            assertThat(runner.channel().endpoint().toString()).isEqualTo(replicaA.url());
            String before = createSession(survivor, pool); // created on B, pushed by A through NOTIFY fleet_session
            await().atMost(Duration.ofSeconds(30)).until(() -> "running".equals(state(survivor, before)));

            replicaA.kill();
            long killed = System.nanoTime();
            List<String> during = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                during.add(createSession(survivor, pool)); // while the runner may still be reconnecting
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.channel().isOpen()
                    && runner.channel().endpoint().toString().equals(replicaB.url()));
            long reconnectedMs = (System.nanoTime() - killed) / 1_000_000;
            for (String session : during) {
                await().atMost(Duration.ofSeconds(60)).until(() -> "running".equals(state(survivor, session)));
            }
            long allRunningMs = (System.nanoTime() - killed) / 1_000_000;
            System.out.printf("runner channel: reconnected to the other replica %d ms after kill -9, the %d sessions"
                    + " created meanwhile all running after %d ms%n", reconnectedMs, during.size(), allRunningMs);
            assertThat(runner.channel().connects()).isGreaterThanOrEqualTo(2);
        }
    }
}
