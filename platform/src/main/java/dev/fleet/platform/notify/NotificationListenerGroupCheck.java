package dev.fleet.platform.notify;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;

/**
 * The NOTIFY listener's state in its own health group, {@code /q/health/group/notify}, whether or
 * not it also counts for readiness: a view of the database path apart from the service's own.
 */
@HealthGroup("notify")
@Singleton
public class NotificationListenerGroupCheck implements HealthCheck {

    private final PgNotificationHub hub;

    NotificationListenerGroupCheck(PgNotificationHub hub) {
        this.hub = hub;
    }

    @Override
    public HealthCheckResponse call() {
        return NotificationListenerCheck.describe(hub.status());
    }
}
