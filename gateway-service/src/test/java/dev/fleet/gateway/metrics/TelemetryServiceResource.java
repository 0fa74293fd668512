package dev.fleet.gateway.metrics;

import java.util.Map;

import dev.fleet.platform.process.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** The real telemetry-service (its packaged jar, test profile, the test database) for the gateway to send samples to. */
public class TelemetryServiceResource implements QuarkusTestResourceLifecycleManager {

    static volatile ServiceProcess telemetryService;

    @Override
    public Map<String, String> start() {
        try {
            telemetryService = ServiceProcess.ofModule("telemetry-service").start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start telemetry-service", e);
        }
        return Map.of("fleet.gateway.telemetry.url", telemetryService.url());
    }

    @Override
    public void stop() {
        try {
            if (telemetryService != null) {
                telemetryService.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
