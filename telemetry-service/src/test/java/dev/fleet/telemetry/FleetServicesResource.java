package dev.fleet.telemetry;

import java.util.Map;

import dev.fleet.platform.process.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real queue-service and session-service (their packaged jars, as processes with the test
 * profile) whose figures the findings read. Tests reach them by URL, and may stop one and start it
 * again (same port) to see what an outage does.
 */
public class FleetServicesResource implements QuarkusTestResourceLifecycleManager {

    public static volatile ServiceProcess queue;
    public static volatile ServiceProcess session;

    @Override
    public Map<String, String> start() {
        try {
            queue = ServiceProcess.ofModule("queue-service").start();
            session = ServiceProcess.ofModule("session-service").start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start queue-service and session-service", e);
        }
        // the token is left to its default: the first of fleet.auth.admin-tokens
        return Map.of("fleet.telemetry.inputs.queue-url", queue.url(), "fleet.telemetry.inputs.session-url",
                session.url());
    }

    @Override
    public void stop() {
        try {
            if (session != null) {
                session.close();
            }
            if (queue != null) {
                queue.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
