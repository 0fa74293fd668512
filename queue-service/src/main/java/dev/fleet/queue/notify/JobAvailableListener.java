package dev.fleet.queue.notify;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.queue.claim.ClaimWaiters;
import dev.fleet.queue.queue.QueueSettingsCache;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;

/**
 * Wakes this replica's waiting claims when any replica announces work on {@code fleet_queue}:
 * n new jobs wake the n oldest waiters of that queue, a queue change (resume, new limits) wakes
 * all its waiters, an overflow or a reconnect wakes everyone, who then simply claim again. A
 * change, overflow or reconnect also drops the cached settings involved, before anyone is woken,
 * so that the woken claims read the new settings.
 */
@Singleton
public class JobAvailableListener implements NotificationListener {

    private final ClaimWaiters waiters;
    private final PgNotificationHub hub;
    private final ReplicaOrigin origin;
    private final QueueSettingsCache settings;

    JobAvailableListener(ClaimWaiters waiters, PgNotificationHub hub, ReplicaOrigin origin,
            QueueSettingsCache settings) {
        this.waiters = waiters;
        this.settings = settings;
        this.hub = hub;
        this.origin = origin;
    }

    /** Wakes this replica's claimers for jobs it has just made available and announced with its origin. */
    public void availableHere(String queue, int jobs) {
        if (jobs > 0) {
            waiters.wake(queue, jobs);
        }
    }

    void subscribe(@Observes StartupEvent event) {
        hub.subscribe(Channel.QUEUE, this);
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification.overflow()) {
            settings.invalidateAll();
            waiters.wakeAll();
            return;
        }
        for (JsonObject event : notification.events()) {
            String queue = event.getValue("queue") instanceof String q ? q : null;
            // Whoever sent it: dropping an entry twice costs nothing, keeping a stale one does.
            if (queue == null) {
                settings.invalidateAll();
            } else if (!"available".equals(event.getValue("event"))) {
                settings.invalidate(queue);
            }
            if (origin.sentHere(event)) {
                continue; // woken already, by availableHere
            }
            if (queue == null) {
                waiters.wakeAll();
            } else {
                waiters.wake(queue, "available".equals(event.getString("event")) ? event.getInteger("count", 0) : 0);
            }
        }
    }

    @Override
    public void catchUp() {
        settings.invalidateAll();
        waiters.wakeAll();
    }
}
