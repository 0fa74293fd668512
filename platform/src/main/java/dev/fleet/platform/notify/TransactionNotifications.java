package dev.fleet.platform.notify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The notifications one transaction will send. Code that changes state {@link #add adds} events
 * as it goes; just before commit, {@link #sendWith} issues at most one {@code pg_notify} per
 * channel on the transaction's own connection, so listeners hear of the change exactly when it
 * commits and never of a rolled-back one. Several events on a channel are coalesced into
 * {@code {"events": [...]}}; if that would pass the payload limit the notification says only
 * {@code {"overflow": n}} and listeners catch up in full.
 *
 * <p>Not thread-safe: one instance belongs to one transaction.
 */
public final class TransactionNotifications {

    static final String EVENTS = "events";
    static final String OVERFLOW = "overflow";
    private static final String NOTIFY = "SELECT pg_notify($1, $2)";

    private final int maxPayloadBytes;
    private final Map<String, List<JsonObject>> pending = new LinkedHashMap<>();

    public TransactionNotifications(int maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public TransactionNotifications add(String channel, JsonObject event) {
        pending.computeIfAbsent(Channel.requireValidName(channel), c -> new ArrayList<>()).add(event);
        return this;
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Sends the pending notifications on the transaction's connection; call it last, before commit. */
    public Uni<Void> sendWith(SqlConnection connection) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, List<JsonObject>> entry : pending.entrySet()) {
            Tuple args = Tuple.of(entry.getKey(), payload(entry.getValue()));
            chain = chain.chain(() -> connection.preparedQuery(NOTIFY).execute(args).replaceWithVoid());
        }
        pending.clear();
        return chain;
    }

    String payload(List<JsonObject> events) {
        String payload = events.size() == 1
                ? events.get(0).encode()
                : new JsonObject().put(EVENTS, new JsonArray(new ArrayList<>(events))).encode();
        if (payload.getBytes(StandardCharsets.UTF_8).length <= maxPayloadBytes) {
            return payload;
        }
        return new JsonObject().put(OVERFLOW, events.size()).encode();
    }
}
