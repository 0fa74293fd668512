package dev.fleet.gateway.membership;

import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.fleet.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * Finds the runner that holds a session (session-service {@code GET /sessions/{id}}), for session
 * routing. Answers are remembered for {@code session-cache-ttl} in a map of at most
 * {@code session-cache-size} entries; when it is full an arbitrary entry (the first in hash
 * order, so effectively a random one) makes room — O(1) and lock-free on the request path, at
 * the price of sometimes evicting a hot entry, which then costs one more lookup. Lookups of the
 * same session while one is in flight share it.
 */
@Singleton
public class SessionRunners {

    /** States in which a session no longer holds a runner (session-service's SessionState). */
    private static final Set<String> FINAL_STATES = Set.of("stopped", "error", "expired");

    private final SessionServiceClient sessionService;
    private final long ttlNanos;
    private final int capacity;
    private final ConcurrentHashMap<String, Remembered> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Future<String>> lookups = new ConcurrentHashMap<>();

    private record Remembered(String runnerId, long expiresAtNanos) {
    }

    /** What one lookup found; {@code settled} answers are worth remembering. */
    private record Found(String runnerId, boolean settled) {
    }

    @Inject
    SessionRunners(SessionServiceClient sessionService, GatewayConfig config) {
        this(sessionService, config.sessionCacheTtl(), config.sessionCacheSize());
    }

    SessionRunners(SessionServiceClient sessionService, Duration ttl, int capacity) {
        this.sessionService = sessionService;
        this.ttlNanos = ttl.toNanos();
        this.capacity = capacity;
    }

    /** The id of the runner holding {@code sessionId}, or null when there is no such live session. */
    public Future<String> runnerOf(String sessionId) {
        if (!sessionService.configured()) {
            return Future.failedFuture(new IllegalStateException(
                    "session routing needs session-service: set fleet.gateway.session-url"));
        }
        long now = System.nanoTime();
        Remembered known = cache.get(sessionId);
        if (known != null && now - known.expiresAtNanos() < 0) {
            return Future.succeededFuture(known.runnerId());
        }
        Promise<String> promise = Promise.promise();
        Future<String> running = lookups.putIfAbsent(sessionId, promise.future());
        if (running != null) {
            return running;
        }
        sessionService.get("/sessions/" + SessionServiceClient.segment(sessionId)).map(SessionRunners::found)
                .onComplete(result -> {
                    if (result.succeeded() && result.result().settled()) {
                        remember(sessionId, result.result().runnerId());
                    }
                    lookups.remove(sessionId);
                    promise.handle(result.map(Found::runnerId));
                });
        return promise.future();
    }

    /** Drops what is known of a session, e.g. when its runner has left the pool. */
    public void forget(String sessionId) {
        cache.remove(sessionId);
    }

    /**
     * 404: no such session; a final state: it ended; else its runner. A pending session (no runner
     * yet) is not remembered: it gets one within moments.
     */
    private static Found found(JsonObject session) {
        if (session == null || FINAL_STATES.contains(session.getString("state"))) {
            return new Found(null, true);
        }
        String runner = session.getString("runnerId");
        return new Found(runner, runner != null);
    }

    private void remember(String sessionId, String runnerId) {
        if (capacity <= 0) {
            return;
        }
        // Concurrent inserts may pass the bound by a few entries; the next ones evict again.
        if (cache.size() >= capacity && !cache.containsKey(sessionId)) {
            Iterator<String> any = cache.keySet().iterator();
            if (any.hasNext()) {
                any.next();
                any.remove();
            }
        }
        cache.put(sessionId, new Remembered(runnerId, System.nanoTime() + ttlNanos));
    }
}
