package dev.fleet.scaler;

import java.util.Map;

import dev.fleet.platform.process.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real queue-service and session-service (their packaged jars, as processes with the test
 * profile) for tests whose scaler reads its inputs from them.
 */
public class FleetServicesResource implements QuarkusTestResourceLifecycleManager {

    public static volatile String queueUrl;
    public static volatile String sessionUrl;

    private ServiceProcess queue;
    private ServiceProcess session;

    @Override
    public Map<String, String> start() {
        try {
            queue = ServiceProcess.ofModule("queue-service").start();
            // Runners report the host's CPU, which a busy test machine keeps near 100 %: at the default
            // 90 % session-service would call them degraded and place no session on them.
            session = ServiceProcess.ofModule("session-service", "-Dfleet.session.runners.overload-cpu-percent=101")
                    .start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start queue-service and session-service", e);
        }
        queueUrl = queue.url();
        sessionUrl = session.url();
        return Map.of("fleet.scaler.queue-url", queue.url(), "fleet.scaler.session-url", session.url(),
                "fleet.scaler.token", "test-admin-token");
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
