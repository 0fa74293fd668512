package dev.fleet.platform.notify;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the NOTIFY listener is connected: a replica that cannot hear changes would
 * act on stale state, so it should not take traffic. (Database reachability has its own check
 * from the reactive PostgreSQL client.) A service whose readiness must not follow the database (the
 * gateway) excludes this bean and reads {@link NotificationListenerGroupCheck} instead.
 */
@Readiness
@Singleton
public class NotificationListenerCheck implements HealthCheck {

    private final PgNotificationHub hub;

    NotificationListenerCheck(PgNotificationHub hub) {
        this.hub = hub;
    }

    @Override
    public HealthCheckResponse call() {
        return describe(hub.status());
    }

    /** The listener's state as a check: up while connected. */
    static HealthCheckResponse describe(ListenerStatus status) {
        return HealthCheckResponse.named("NOTIFY listener")
                .status(status.connected())
                .withData("channels", String.join(",", status.channels()))
                .withData("reconnects", status.reconnects())
                .build();
    }
}
