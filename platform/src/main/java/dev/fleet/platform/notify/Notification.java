package dev.fleet.platform.notify;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One NOTIFY as a listener receives it. It is a hint, never the truth: listeners re-read state.
 * A payload carries one event, several coalesced ({@code {"events": [...]}}), or, when they
 * would not fit PostgreSQL's payload limit, only {@code {"overflow": n}}, which asks for a full
 * catch-up read.
 */
public record Notification(String channel, JsonObject payload) {

    /** The events this notification carries: one, several, or none when it overflowed. */
    public List<JsonObject> events() {
        JsonArray batch = payload.getJsonArray(TransactionNotifications.EVENTS);
        if (batch != null) {
            return batch.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList();
        }
        return overflow() ? List.of() : List.of(payload);
    }

    /** True when more happened than one payload can say; the listener should catch up in full. */
    public boolean overflow() {
        return payload.containsKey(TransactionNotifications.OVERFLOW);
    }
}
