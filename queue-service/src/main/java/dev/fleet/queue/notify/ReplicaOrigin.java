package dev.fleet.queue.notify;

import java.util.UUID;

import jakarta.inject.Singleton;

import io.vertx.core.json.JsonObject;

/**
 * This replica's id in the notifications whose waiters it has already woken itself: the hot paths
 * (an enqueue, a batch of outcomes) wake this replica's claimers and producers the moment their
 * statement returns, and mark the NOTIFY with {@code "origin"} so that the copy PostgreSQL delivers
 * back here wakes nobody a second time. Other replicas act on it as on any notification.
 */
@Singleton
public class ReplicaOrigin {

    private final String id = UUID.randomUUID().toString();

    public String id() {
        return id;
    }

    /** True if this replica sent the event and woke its own waiters for it already. */
    boolean sentHere(JsonObject event) {
        return id.equals(event.getValue("origin"));
    }
}
