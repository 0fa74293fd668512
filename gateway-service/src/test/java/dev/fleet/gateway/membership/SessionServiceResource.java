package dev.fleet.gateway.membership;

import java.util.Map;

import dev.fleet.platform.process.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The real session-service (its packaged jar, as a process with the test profile, on the same
 * test database) for the gateway to read runners and sessions from. Tests may kill and restart it.
 */
public class SessionServiceResource implements QuarkusTestResourceLifecycleManager {

    static volatile ServiceProcess sessionService;

    @Override
    public Map<String, String> start() {
        try {
            sessionService = ServiceProcess.ofModule("session-service").start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start session-service", e);
        }
        // No fleet.gateway.token: the gateway falls back to the first admin token (test-admin-token).
        return Map.of("fleet.gateway.session-url", sessionService.url());
    }

    @Override
    public void stop() {
        try {
            if (sessionService != null) {
                sessionService.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
