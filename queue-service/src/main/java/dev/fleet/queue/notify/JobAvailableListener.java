package dev.fleet.queue.notify;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.queue.claim.ClaimWaiters;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;

/**
 * Wakes this replica's waiting claims when any replica announces work on {@code fleet_queue}:
 * n new jobs wake the n oldest waiters of that queue, a queue change (resume, new limits) wakes
 * all its waiters, an overflow or a reconnect wakes everyone, who then simply claim again.
 */
@Singleton
public class JobAvailableListener implements NotificationListener {

    private final ClaimWaiters waiters;
    private final PgNotificationHub hub;
    private final ReplicaOrigin origin;

    JobAvailableListener(ClaimWaiters waiters, PgNotificationHub hub, ReplicaOrigin origin) {
        this.waiters = waiters;
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
            waiters.wakeAll();
            return;
        }
        for (JsonObject event : notification.events()) {
            String queue = event.getValue("queue") instanceof String q ? q : null;
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
        waiters.wakeAll();
    }
}
