package dev.fleet.queue.notify;

import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.NotifyConfig;
import dev.fleet.platform.notify.TransactionNotifications;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Tells {@code fleet_queue} listeners (waiting claimers in every replica, the scaler) that a
 * queue has new work or changed, inside the transaction that caused it: one NOTIFY per
 * transaction, one event per queue.
 */
@Singleton
public class QueuePublisher {

    private final NotifyConfig notifyConfig;
    private final ReplicaOrigin origin;

    QueuePublisher(NotifyConfig notifyConfig, ReplicaOrigin origin) {
        this.notifyConfig = notifyConfig;
        this.origin = origin;
    }

    /** Announces newly available jobs per queue. */
    public Uni<Void> jobsAvailable(SqlConnection connection, Map<String, Integer> countByQueue) {
        return publish(connection, countByQueue, "available");
    }

    /** Announces that a queue's settings changed (paused, resumed, limits). */
    public Uni<Void> queueChanged(SqlConnection connection, String queue) {
        return publish(connection, Map.of(queue, 0), "changed");
    }

    /**
     * Announces finished jobs on {@code fleet_job}, one event per queue with the job ids, so this
     * and every other replica can answer the producers waiting for them. A batch too large for
     * one payload becomes an overflow, and every waiter re-reads. {@code wokenHere}: this replica
     * woke its own waiters already ({@link JobFinishedListener#finishedHere}), so its copy is skipped.
     */
    public Uni<Void> jobsFinished(SqlConnection connection, Map<String, List<Long>> idsByQueue, boolean wokenHere) {
        if (idsByQueue.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        TransactionNotifications notifications = new TransactionNotifications(notifyConfig.maxPayloadBytes());
        idsByQueue.forEach((queue, ids) -> {
            JsonObject event = new JsonObject().put("event", "finished").put("queue", queue)
                    .put("jobs", new JsonArray(List.copyOf(ids)));
            notifications.add(Channel.JOB, wokenHere ? event.put("origin", origin.id()) : event);
        });
        return notifications.sendWith(connection);
    }

    private Uni<Void> publish(SqlConnection connection, Map<String, Integer> countByQueue, String event) {
        if (countByQueue.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        TransactionNotifications notifications = new TransactionNotifications(notifyConfig.maxPayloadBytes());
        countByQueue.forEach((queue, count) -> notifications.add(Channel.QUEUE,
                new JsonObject().put("event", event).put("queue", queue).put("count", count)));
        return notifications.sendWith(connection);
    }
}
