package dev.fleet.queue.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.queue.job.ResultWaiters;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Wakes this replica's producers waiting for results when any replica announces finished jobs on
 * {@code fleet_job}; an overflow, an event it cannot read or a reconnect wakes all of them.
 */
@Singleton
public class JobFinishedListener implements NotificationListener {

    private final ResultWaiters waiters;
    private final PgNotificationHub hub;
    private final ReplicaOrigin origin;

    JobFinishedListener(ResultWaiters waiters, PgNotificationHub hub, ReplicaOrigin origin) {
        this.waiters = waiters;
        this.hub = hub;
        this.origin = origin;
    }

    /** Wakes this replica's producers waiting for jobs whose outcome it has just stored. */
    public void finishedHere(Map<String, List<Long>> idsByQueue) {
        idsByQueue.forEach(waiters::finished);
    }

    void subscribe(@Observes StartupEvent event) {
        hub.subscribe(Channel.JOB, this);
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification.overflow()) {
            waiters.wakeAll();
            return;
        }
        for (JsonObject event : notification.events()) {
            if (origin.sentHere(event)) {
                continue; // woken already, by finishedHere
            }
            String queue = event.getValue("queue") instanceof String q ? q : null;
            JsonArray jobs = event.getValue("jobs") instanceof JsonArray array ? array : null;
            if (queue == null || jobs == null) {
                waiters.wakeAll();
                continue;
            }
            List<Long> ids = new ArrayList<>(jobs.size());
            for (Object id : jobs) {
                if (id instanceof Number number) {
                    ids.add(number.longValue());
                }
            }
            waiters.finished(queue, ids);
        }
    }

    @Override
    public void catchUp() {
        waiters.wakeAll();
    }
}
