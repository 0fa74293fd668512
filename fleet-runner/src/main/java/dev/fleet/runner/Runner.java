package dev.fleet.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.fleet.client.FleetClient;
import dev.fleet.client.FleetClientConfig;
import dev.fleet.client.Heartbeats;
import dev.fleet.client.HostLoad;
import dev.fleet.client.RegisteredRunner;
import dev.fleet.client.RetryPolicy;
import dev.fleet.client.RunnerChannel;
import dev.fleet.client.RunnerLoad;
import dev.fleet.client.RunnerRegistration;
import dev.fleet.client.TelemetryReporter;
import dev.fleet.runner.http.DemoHttpServer;
import dev.fleet.runner.job.JobHandlers;
import dev.fleet.runner.job.JobLoop;

/**
 * One runner: serves HTTP, joins its pool in session-service, heartbeats with live figures,
 * carries out its session operations and runs jobs from its queue. {@link #shutdown()} drains it
 * the way an operator expects from SIGTERM: claim nothing more, mark itself draining, let running
 * jobs finish within the grace period, give back what could not finish, deregister.
 */
public final class Runner implements AutoCloseable {

    static final String VERSION = "0.1.0";
    private static final System.Logger LOG = System.getLogger(Runner.class.getName());

    private final RunnerConfig config;
    private final JobHandlers handlers;
    private final FleetClient fleet;
    private final HostLoad host = new HostLoad();
    private final Instant startedAt = Instant.now();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String status = "starting";
    private volatile TelemetryReporter telemetry;
    private DemoHttpServer http;
    private RegisteredRunner identity;
    private Heartbeats heartbeats;
    private SessionOperations operations;
    private RunnerChannel channel;
    private JobLoop jobs;
    private int port;

    public Runner(RunnerConfig config, JobHandlers handlers) {
        this.config = config;
        this.handlers = handlers;
        this.fleet = new FleetClient(new FleetClientConfig(config.queueUrl(), config.sessionUrl(), config.telemetryUrl(),
                config.token(), Duration.ofSeconds(2), Duration.ofSeconds(10), RetryPolicy.DEFAULT));
    }

    /**
     * Starts serving and working. Services that do not answer are retried for the startup timeout.
     *
     * @throws dev.fleet.client.ServiceUnreachableException when one still does not answer then
     * @throws dev.fleet.client.FleetApiException           when one refuses (e.g. a wrong token)
     */
    public Runner start() throws Exception {
        RetryPolicy startup = RetryPolicy.DEFAULT.withGiveUpAfter(config.startupTimeout());
        http = new DemoHttpServer(this::health, this::recordRequest, config.httpSampleRate());
        port = http.start(config.bind(), config.port());
        fleet.queue().describe(config.queue(), startup); // reachable, and the token is accepted
        identity = fleet.sessions().register(new RunnerRegistration(config.pool(), config.endpoint(port), null,
                config.maxSessions(), null, config.labels(), VERSION), startup);
        if (config.telemetryUrl() != null) {
            telemetry = fleet.telemetry(identity.id(), Duration.ofSeconds(2), 500, 10_000, config.telemetryMaxRate());
        }
        operations = new SessionOperations(fleet.sessions(), identity);
        if (!config.channelUrls().isEmpty()) {
            channel = fleet.sessions().openChannel(identity, operations::onPushed, config.channelUrls());
            operations.useChannel(channel);
        }
        heartbeats = new Heartbeats(fleet.sessions(), identity, this::load, operations::onHeartbeat);
        jobs = new JobLoop(fleet.queue(), config.queue(), identity.id(), config.concurrency(), config.claimWait(),
                config.jobPath().claimAhead(), config.jobPath().completeWindow(), config.jobPath().completeBatch(),
                handlers, telemetry);
        jobs.start();
        status = "ok";
        return this;
    }

    public RegisteredRunner identity() {
        return identity;
    }

    public int port() {
        return port;
    }

    public JobLoop jobs() {
        return jobs;
    }

    /** The runner channel, or null when it runs with {@code --channel-urls none} (polling only). */
    public RunnerChannel channel() {
        return channel;
    }

    /** Drains and leaves (see the class comment); a second call waits for the first. */
    public void shutdown() throws InterruptedException {
        if (!stopping.compareAndSet(false, true)) {
            stopped.await();
            return;
        }
        try {
            drain();
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Stops everything at once, without draining (what is left to do, a shutdown would have done). */
    @Override
    public void close() {
        stopping.set(true);
        if (jobs != null) {
            jobs.close();
        }
        if (heartbeats != null) {
            heartbeats.close();
        }
        if (channel != null) {
            channel.close();
        }
        if (operations != null) {
            operations.close();
        }
        if (http != null) {
            http.close();
        }
        if (telemetry != null) {
            telemetry.close();
        }
        fleet.close();
        stopped.countDown();
    }

    private void drain() throws InterruptedException {
        status = "draining";
        Instant deadline = Instant.now().plus(config.grace());
        LOG.log(System.Logger.Level.INFO, "draining: no more claims, " + jobs.busySlots() + " jobs running, grace "
                + config.grace().toSeconds() + " s");
        jobs.stopClaiming();
        quietly("mark the runner draining", () -> fleet.sessions().drain(identity));
        if (!jobs.awaitIdle(deadline)) {
            jobs.giveBackRunning();
            jobs.awaitIdle(Instant.now().plusSeconds(5)); // outcomes of jobs that finished as time ran out
        }
        heartbeats.close();
        if (channel != null) {
            channel.close();
        }
        operations.close();
        if (telemetry != null) {
            telemetry.close();
        }
        quietly("deregister", () -> fleet.sessions().deregister(identity, true));
        LOG.log(System.Logger.Level.INFO, "stopped: " + jobs.stats().completed() + " jobs completed, "
                + jobs.stats().failed() + " failed, " + jobs.stats().released() + " given back");
        close();
    }

    private RunnerLoad load() {
        return new RunnerLoad(host.cpuPercent(), host.memoryPercent(), operations.activeSessions(),
                http.traffic().activeConnections(), http.traffic().avgResponseMs(), null, null, null);
    }

    private Map<String, Object> health() {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", status);
        health.put("runner", identity == null ? null : identity.id());
        health.put("pool", config.pool());
        health.put("queue", config.queue());
        health.put("version", VERSION);
        health.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        if (jobs != null) {
            health.put("slots", Map.of("total", config.concurrency(), "busy", jobs.busySlots()));
            health.put("jobs", Map.of("claimed", jobs.stats().claimed(), "completed", jobs.stats().completed(),
                    "failed", jobs.stats().failed(), "released", jobs.stats().released(),
                    "leasesLost", jobs.stats().leasesLost()));
            health.put("activeSessions", operations.activeSessions());
            health.put("channel", channel == null ? "off" : channel.isOpen() ? "open" : "down");
        }
        health.put("cpuPercent", host.cpuPercent());
        health.put("memoryPercent", host.memoryPercent());
        health.put("activeConnections", http.traffic().activeConnections());
        health.put("avgResponseMs", http.traffic().avgResponseMs());
        return health;
    }

    private void recordRequest(String feature, Duration took, int status) {
        TelemetryReporter reporter = telemetry;
        if (reporter != null) {
            reporter.record(feature, took, status < 500, Map.of("status", status));
        }
    }

    private static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not " + what + ": " + e.getMessage());
        }
    }
}
