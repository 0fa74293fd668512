package dev.fleet.session.event;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.session.SessionState;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The follow streams open on this replica, by session, and what wakes them: a {@code fleet_session}
 * notification of new events (or of a final state) wakes that session's followers, an overflow
 * or a reconnect of the listener wakes all of them. A wake-up is only a hint: the follower
 * re-reads the log from its own cursor, so a lost, duplicated or coalesced notification costs at
 * most a read, never an event.
 *
 * <p>Admission is capped per session ({@code max-followers}) and per replica
 * ({@code max-followers-total}) and answered 429 past either, because every follower turns each
 * append into one more read. The caps count this replica only; a client that is refused can be
 * served by another one.
 */
@Singleton
public class EventFollowers implements NotificationListener {

    /** Retry-After of a refused follow: streams are long-lived, so slots free up slowly. */
    static final Duration FOLLOW_RETRY_AFTER = Duration.ofSeconds(5);

    private final Map<UUID, Set<EventFollower>> bySession = new ConcurrentHashMap<>();
    private final EventQueries queries;
    private final PgNotificationHub hub;
    private final Vertx vertx;
    private final SessionConfig.Events limits;
    private int total; // guarded by this

    EventFollowers(EventQueries queries, PgNotificationHub hub, Vertx vertx, SessionConfig config, MeterRegistry meters) {
        this.queries = queries;
        this.hub = hub;
        this.vertx = vertx;
        this.limits = config.events();
        meters.gauge("fleet.session.event.followers", this, EventFollowers::followerCount);
    }

    void subscribe(@Observes StartupEvent event) {
        hub.subscribe(Channel.SESSION, this);
    }

    /**
     * Takes a slot for a new follower of {@code session}, or refuses with 429. The follower's
     * idle clock starts now, so a slot whose stream is never subscribed is given back too.
     */
    EventFollower admit(UUID session) {
        EventFollower follower;
        synchronized (this) {
            Set<EventFollower> same = bySession.get(session);
            if (same != null && same.size() >= limits.maxFollowers()) {
                throw refusal("This replica already streams session " + session + "'s events to " + limits.maxFollowers()
                        + " followers (fleet.session.events.max-followers); retry later.", limits.maxFollowers());
            }
            if (total >= limits.maxFollowersTotal()) {
                throw refusal("This replica already holds " + limits.maxFollowersTotal()
                        + " follow streams (fleet.session.events.max-followers-total); retry later.", limits.maxFollowersTotal());
            }
            follower = new EventFollower(session, vertx.getOrCreateContext(), queries, limits.followIdleTimeout(), this::leave);
            bySession.computeIfAbsent(session, s -> ConcurrentHashMap.newKeySet()).add(follower);
            total++;
        }
        follower.start();
        return follower;
    }

    private synchronized void leave(EventFollower follower) {
        Set<EventFollower> same = bySession.get(follower.session());
        if (same != null && same.remove(follower)) {
            total--;
            if (same.isEmpty()) {
                bySession.remove(follower.session());
            }
        }
    }

    /** Follow streams open on this replica. */
    public synchronized int followerCount() {
        return total;
    }

    /** Follow streams of one session open on this replica. */
    public int followerCount(UUID session) {
        Set<EventFollower> same = bySession.get(session);
        return same == null ? 0 : same.size();
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification.overflow()) {
            wakeAll();
            return;
        }
        for (JsonObject event : notification.events()) {
            if (!concernsFollowers(event)) {
                continue;
            }
            UUID session = sessionOf(event);
            if (session == null) {
                wakeAll();
            } else {
                bySession.getOrDefault(session, Set.of()).forEach(EventFollower::wake);
            }
        }
    }

    /** Notifications are not durable: after a (re)connect everyone re-reads from their cursor. */
    @Override
    public void catchUp() {
        wakeAll();
    }

    private void wakeAll() {
        bySession.values().forEach(followers -> followers.forEach(EventFollower::wake));
    }

    /** New events, or a final state (after which a follower sends what remains and ends). */
    private static boolean concernsFollowers(JsonObject event) {
        Object kind = event.getValue("event");
        if ("events".equals(kind)) {
            return true;
        }
        if (!"state".equals(kind)) {
            return false;
        }
        try {
            return SessionState.valueOf(String.valueOf(event.getValue("state"))).isFinal();
        } catch (IllegalArgumentException e) {
            return true; // not a state we know: a read settles it
        }
    }

    private static UUID sessionOf(JsonObject event) {
        try {
            return event.getValue("session") instanceof String id ? UUID.fromString(id) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ProblemException refusal(String detail, int limit) {
        return ProblemException.tooManyRequests("too-many-followers", detail, FOLLOW_RETRY_AFTER).with("limit", limit);
    }
}
