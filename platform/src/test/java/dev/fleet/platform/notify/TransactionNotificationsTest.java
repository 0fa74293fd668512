package dev.fleet.platform.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

class TransactionNotificationsTest {

    private final TransactionNotifications notifications = new TransactionNotifications(200);

    @Test
    void oneEventIsSentAsItIs() {
        String payload = notifications.payload(List.of(new JsonObject().put("queue", "browser")));

        Notification received = new Notification(Channel.QUEUE, new JsonObject(payload));
        assertThat(payload).isEqualTo("{\"queue\":\"browser\"}");
        assertThat(received.events()).containsExactly(new JsonObject().put("queue", "browser"));
        assertThat(received.overflow()).isFalse();
    }

    @Test
    void severalEventsAreCoalescedIntoOneBatch() {
        String payload = notifications.payload(List.of(new JsonObject().put("queue", "a"), new JsonObject().put("queue", "b")));

        Notification received = new Notification(Channel.QUEUE, new JsonObject(payload));
        assertThat(received.events()).extracting(e -> e.getString("queue")).containsExactly("a", "b");
    }

    @Test
    void eventsPastThePayloadLimitBecomeAnOverflowThatAsksForCatchUp() {
        List<JsonObject> many = java.util.stream.IntStream.range(0, 50)
                .mapToObj(i -> new JsonObject().put("queue", "queue-number-" + i)).toList();

        String payload = notifications.payload(many);

        Notification received = new Notification(Channel.QUEUE, new JsonObject(payload));
        assertThat(payload).isEqualTo("{\"overflow\":50}");
        assertThat(received.overflow()).isTrue();
        assertThat(received.events()).isEmpty();
    }

    @Test
    void channelNamesThatCouldInjectSqlAreRefused() {
        assertThatThrownBy(() -> notifications.add("x; DROP TABLE jobs", new JsonObject()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(notifications.isEmpty()).isTrue();
    }
}
