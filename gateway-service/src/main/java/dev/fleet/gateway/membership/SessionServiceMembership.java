package dev.fleet.gateway.membership;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.gateway.config.GatewayConfig;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Keeps each pool's {@code session-service} instances equal to the runners session-service lists
 * as healthy or degraded. A full snapshot ({@code GET /runners}) at start and every
 * {@code membership-refresh} brings the reported load; a NOTIFY on {@code fleet_runner} is a hint
 * that re-reads just its pool, so joins, drains and departures take effect within one round trip.
 *
 * <p>Reads of the same scope (one pool, or all) never overlap: a request during a read queues one
 * more read after it, however many arrive. Reads of different scopes may finish out of order, so
 * each pool only takes a read that started after the one it last took — an older full snapshot
 * never undoes a newer pool read.
 *
 * <p>A failed read changes nothing: session-service being down must not empty the pools, the
 * runners are most likely still serving. One WARN marks the outage, one INFO its end.
 */
@Singleton
public class SessionServiceMembership implements NotificationListener {

    public static final String SOURCE = RunnerInstances.SOURCE;

    private static final Logger LOG = Logger.getLogger(SessionServiceMembership.class);

    /** The scope of a full snapshot; pool names cannot contain '*'. */
    private static final String ALL_POOLS = "*";

    private final SessionServiceClient sessionService;
    private final Pools pools;
    private final GatewayConfig config;
    private final Vertx vertx;
    private final Clock clock;

    /** Numbers reads in start order. */
    private long readsStarted;
    /** Per pool, the number of the read it last took. */
    private final Map<String, Long> appliedRead = new HashMap<>();
    /** Scopes with a read in progress, with the promise of the read queued after it (or null). */
    private final Map<String, Promise<Void>> inProgress = new HashMap<>();
    /** Runners whose endpoint could not be parsed, warned about once. */
    private final Set<String> badEndpoints = ConcurrentHashMap.newKeySet();

    private volatile MembershipStatus status;
    private boolean outage;
    private long timer = -1;

    SessionServiceMembership(SessionServiceClient sessionService, Pools pools, GatewayConfig config, Vertx vertx,
            Clock clock) {
        this.sessionService = sessionService;
        this.pools = pools;
        this.config = config;
        this.vertx = vertx;
        this.clock = clock;
        this.status = sessionService.configured() ? MembershipStatus.notReadYet(sessionService.url())
                : MembershipStatus.disabled();
    }

    void start(@Observes StartupEvent event, PgNotificationHub hub) {
        if (!sessionService.configured()) {
            return;
        }
        // The hub calls catchUp() once LISTEN is in place; this first read does not wait for the database.
        runOnce();
        hub.subscribe(Channel.RUNNER, this);
        timer = vertx.setPeriodic(config.membershipRefresh().toMillis(), id -> runOnce());
    }

    @PreDestroy
    void stop() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    public MembershipStatus status() {
        return status;
    }

    /** One full snapshot of every pool; completes when it (or the one queued behind a running one) is applied. */
    public Future<Void> runOnce() {
        return requestRead(ALL_POOLS);
    }

    /** Re-reads one pool. */
    public Future<Void> refreshPool(String pool) {
        return requestRead(pool);
    }

    @Override
    public void onNotification(Notification notification) {
        List<JsonObject> events = notification.events();
        if (events.isEmpty()) {
            runOnce(); // overflowed: more changed than one payload could say
            return;
        }
        events.stream().map(event -> event.getString("pool")).distinct()
                .forEach(pool -> requestRead(pool == null ? ALL_POOLS : pool));
    }

    @Override
    public void catchUp() {
        runOnce();
    }

    // --- reads ---------------------------------------------------------------------------------

    private Future<Void> requestRead(String scope) {
        if (!sessionService.configured()) {
            return Future.failedFuture(new IllegalStateException("fleet.gateway.session-url is not set"));
        }
        synchronized (this) {
            if (inProgress.containsKey(scope)) {
                Promise<Void> queued = inProgress.get(scope);
                if (queued == null) {
                    queued = Promise.promise();
                    inProgress.put(scope, queued);
                }
                return queued.future();
            }
            inProgress.put(scope, null);
        }
        Promise<Void> done = Promise.promise();
        read(scope, done);
        return done.future();
    }

    private void read(String scope, Promise<Void> done) {
        long number;
        synchronized (this) {
            number = ++readsStarted;
        }
        String path = scope.equals(ALL_POOLS) ? "/runners" : "/runners?pool=" + SessionServiceClient.segment(scope);
        sessionService.get(path).map(body -> {
            apply(scope, number, body);
            return (Void) null;
        }).onComplete(result -> {
            if (result.succeeded()) {
                recordSuccess();
            } else {
                recordFailure(result.cause());
            }
            Promise<Void> next;
            synchronized (this) {
                next = inProgress.remove(scope);
                if (next != null) {
                    inProgress.put(scope, null);
                }
            }
            done.handle(result);
            if (next != null) {
                read(scope, next);
            }
        });
    }

    private void apply(String scope, long number, JsonObject body) {
        JsonArray runners = body == null ? null : body.getJsonArray("runners");
        if (runners == null) {
            throw new IllegalStateException("session-service answered without a runners list");
        }
        long now = System.nanoTime();
        Map<String, List<Instance>> byPool = new HashMap<>();
        for (Object runner : runners) {
            Instance instance = runner instanceof JsonObject json ? instanceOf(json, now) : null;
            if (instance != null && (scope.equals(ALL_POOLS) || scope.equals(instance.pool()))) {
                byPool.computeIfAbsent(instance.pool(), p -> new ArrayList<>()).add(instance);
            }
        }
        Set<String> affected = new HashSet<>(byPool.keySet());
        if (scope.equals(ALL_POOLS)) {
            // Pools with none left must still lose the instances they had.
            pools.all().stream().filter(SessionServiceMembership::hasOwnMembers).map(Pool::name).forEach(affected::add);
        } else {
            affected.add(scope);
        }
        synchronized (this) {
            for (String name : affected) {
                if (appliedRead.getOrDefault(name, 0L) > number) {
                    continue; // a newer read of this pool was applied already
                }
                appliedRead.put(name, number);
                List<Instance> instances = byPool.getOrDefault(name, List.of());
                Pool pool = instances.isEmpty() ? pools.find(name) : pools.pool(name);
                if (pool != null) {
                    pool.replaceMembers(SOURCE, instances, now);
                }
            }
        }
    }

    private Instance instanceOf(JsonObject runner, long now) {
        String id = runner.getString("id");
        try {
            Objects.requireNonNull(id, "runner without an id");
            Objects.requireNonNull(runner.getString("pool"), "runner without a pool");
            return RunnerInstances.instanceOf(runner, now);
        } catch (RuntimeException e) {
            // One bad registration must not stop the others from being read.
            if (badEndpoints.add(String.valueOf(id))) {
                LOG.warnf("Runner %s left out: %s", id, e.getMessage());
            }
            return null;
        }
    }

    private static boolean hasOwnMembers(Pool pool) {
        return pool.members().stream().anyMatch(instance -> instance.source().equals(SOURCE));
    }

    // --- status --------------------------------------------------------------------------------

    private synchronized void recordSuccess() {
        if (outage) {
            LOG.infof("session-service at %s answers again; pool membership is current", sessionService.url());
            outage = false;
        }
        status = status.succeeded(Instant.now(clock));
    }

    private synchronized void recordFailure(Throwable cause) {
        String error = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        if (!outage) {
            LOG.warnf("session-service at %s cannot be read (%s); keeping the last pool membership until it answers",
                    sessionService.url(), error);
            outage = true;
        }
        status = status.failed(Instant.now(clock), error);
    }
}
