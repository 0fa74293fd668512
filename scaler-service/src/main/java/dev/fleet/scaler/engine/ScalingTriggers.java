package dev.fleet.scaler.engine;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.scaler.pool.PoolRecord;
import dev.fleet.scaler.pool.PoolStore;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;

/**
 * Turns NOTIFY events into immediate evaluations: {@code fleet_queue} (jobs became available in a
 * queue → the pools working it), {@code fleet_runner} (a runner of a pool registered, changed
 * health, drains or left) and {@code fleet_scaling} manual requests. A notification that
 * overflowed, or a reconnect, asks for a full round instead.
 */
@Singleton
public class ScalingTriggers {

    private final ScalingLoop loop;
    private final PoolStore pools;

    ScalingTriggers(ScalingLoop loop, PoolStore pools) {
        this.loop = loop;
        this.pools = pools;
    }

    void subscribe(@Observes StartupEvent event, PgNotificationHub hub) {
        hub.subscribe(Channel.QUEUE, listener(this::onQueue));
        hub.subscribe(Channel.RUNNER, listener(e -> loop.poke(List.of(e.getString("pool", "")))));
        hub.subscribe(Channel.SCALING, listener(e -> {
            if ("manual".equals(e.getString("event"))) {
                loop.poke(List.of(e.getString("pool", "")));
            }
        }));
    }

    private void onQueue(JsonObject event) {
        String queue = event.getString("queue");
        if (queue != null && "available".equals(event.getString("event"))) {
            pools.byQueue(queue).subscribe().with(found -> loop.poke(found.stream().map(PoolRecord::name).toList()),
                    failure -> loop.requestRound());
        }
    }

    private NotificationListener listener(java.util.function.Consumer<JsonObject> onEvent) {
        return new NotificationListener() {
            @Override
            public void onNotification(Notification notification) {
                List<JsonObject> events = notification.events();
                if (events.isEmpty()) {
                    loop.requestRound(); // overflowed: something changed, we do not know what
                }
                events.forEach(onEvent);
            }

            @Override
            public void catchUp() {
                loop.requestRound();
            }
        };
    }
}
