package dev.fleet.session.notify;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.NotifyConfig;
import dev.fleet.platform.notify.TransactionNotifications;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Tells {@code fleet_runner} listeners (gateways, the scaler) that membership or health changed,
 * inside the transaction that changed it: {@code {"event": registered|health|draining|deregistered,
 * "runner", "pool", "health"}}, one NOTIFY per transaction.
 */
@Singleton
public class RunnerPublisher {

    /** One membership or health change. */
    public record RunnerChange(String event, UUID runner, String pool, String health) {
    }

    private final NotifyConfig notifyConfig;

    RunnerPublisher(NotifyConfig notifyConfig) {
        this.notifyConfig = notifyConfig;
    }

    public Uni<Void> publish(SqlConnection tx, List<RunnerChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        TransactionNotifications notifications = new TransactionNotifications(notifyConfig.maxPayloadBytes());
        for (RunnerChange change : changes) {
            notifications.add(Channel.RUNNER, new JsonObject().put("event", change.event())
                    .put("runner", change.runner().toString()).put("pool", change.pool()).put("health", change.health()));
        }
        return notifications.sendWith(tx);
    }
}
