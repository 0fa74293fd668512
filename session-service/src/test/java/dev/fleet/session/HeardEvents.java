package dev.fleet.session;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import io.vertx.core.json.JsonObject;

/**
 * Collects the NOTIFY events of one channel that a test cares about, from the moment LISTEN is in
 * place. A notification that overflowed (too many events for one payload, e.g. a sweep that changed
 * every runner in the test database) is recorded as {@code {"event": "overflow"}}: listeners are
 * told only to catch up, so a test can expect either the event or an overflow.
 */
public final class HeardEvents {

    private HeardEvents() {
    }

    /** Subscribes and returns once the hub listens on the channel (its catch-up ran), so nothing later is missed. */
    public static List<JsonObject> listen(PgNotificationHub hub, String channel, Predicate<JsonObject> wanted) {
        List<JsonObject> heard = new CopyOnWriteArrayList<>();
        AtomicBoolean listening = new AtomicBoolean();
        hub.subscribe(channel, new NotificationListener() {
            @Override
            public void onNotification(Notification notification) {
                if (notification.overflow()) {
                    heard.add(new JsonObject().put("event", "overflow"));
                }
                notification.events().stream().filter(wanted).forEach(heard::add);
            }

            @Override
            public void catchUp() {
                listening.set(true);
            }
        });
        await().atMost(Duration.ofSeconds(30)).untilTrue(listening);
        return heard;
    }
}
