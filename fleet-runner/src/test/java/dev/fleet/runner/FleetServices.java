package dev.fleet.runner;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import dev.fleet.client.FleetClientConfig;
import dev.fleet.client.RetryPolicy;
import dev.fleet.platform.process.ServiceProcess;

/**
 * The real queue-, session- and telemetry-service, each its packaged jar as a process with the
 * test profile (database {@code fleet_test}, fixed tokens) and its maintenance scheduler on.
 */
final class FleetServices implements AutoCloseable {

    static final String ADMIN = "test-admin-token";
    static final String RUNNER = "test-runner-token";
    static final String CLIENT = "test-client-token";

    final ServiceProcess queue;
    final ServiceProcess session;
    final ServiceProcess telemetry;

    private FleetServices() throws Exception {
        queue = ServiceProcess.ofModule("queue-service");
        // The runners report this machine's real CPU; on a busy test machine that would read as
        // degraded (unplaceable), so the overload thresholds are set out of reach.
        session = ServiceProcess.ofModule("session-service", "-Dfleet.session.runners.overload-cpu-percent=101",
                "-Dfleet.session.runners.overload-memory-percent=101");
        telemetry = ServiceProcess.ofModule("telemetry-service");
    }

    static FleetServices start() throws Exception {
        FleetServices services = new FleetServices();
        services.queue.start();
        services.session.start();
        services.telemetry.start();
        return services;
    }

    Api queueApi() {
        return new Api(queue.url());
    }

    Api sessionApi() {
        return new Api(session.url());
    }

    Api telemetryApi() {
        return new Api(telemetry.url());
    }

    FleetClientConfig clientConfig() {
        return new FleetClientConfig(URI.create(queue.url()), URI.create(session.url()), URI.create(telemetry.url()),
                RUNNER, Duration.ofSeconds(2), Duration.ofSeconds(10), RetryPolicy.DEFAULT);
    }

    /** Runner settings pointing at these services: any free port, short claim wait and grace. */
    RunnerConfig runnerConfig(String queueName, int concurrency, String... extra) {
        String[] base = {"--pool", queueName, "--queue", queueName, "--concurrency", String.valueOf(concurrency),
                "--port", "0", "--queue-url", queue.url(), "--session-url", session.url(), "--telemetry-url",
                telemetry.url(), "--token", RUNNER, "--claim-wait", "1s", "--grace", "5s", "--http-sample-rate", "1"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return RunnerConfig.parse(all, Map.of());
    }

    @Override
    public void close() throws Exception {
        telemetry.close();
        session.close();
        queue.close();
    }
}
