package dev.fleet.platform.notify;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;

/**
 * The one LISTEN connection of a process, fanned out to every {@link NotificationListener}.
 *
 * <p>It holds a dedicated connection outside the pool (a pooled one would be handed to other
 * work and lose its LISTENs). When that connection is lost — a restart of PostgreSQL, a network
 * cut, {@code pg_terminate_backend} — it reconnects with jittered exponential backoff, re-issues
 * LISTEN for every channel and only then calls each listener's {@code catchUp()}: whatever was
 * notified during the gap is recovered by that read, and nothing notified after it is missed,
 * because LISTEN was already in place. Readiness is DOWN while it is disconnected.
 *
 * <p>Trade-off: one connection per process keeps PostgreSQL's connection count flat however many
 * listeners a service has, at the cost of serialising their callbacks on one event loop, which is
 * why listeners must treat payloads as hints and do their real work asynchronously.
 */
@Singleton
public class PgNotificationHub {

    private static final Logger LOG = Logger.getLogger(PgNotificationHub.class);

    private final Vertx vertx;
    private final NotifyConfig config;
    private final PgConnectOptions connectOptions;
    private final MeterRegistry meters;
    private final Counter reconnects;
    private final Map<String, List<NotificationListener>> listeners = new ConcurrentHashMap<>();

    private volatile PgConnection connection;
    private volatile Instant connectedSince;
    private volatile boolean stopped;
    private int failedAttempts;

    PgNotificationHub(Vertx vertx, NotifyConfig config, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.vertx = vertx;
        this.config = config;
        this.meters = meters;
        this.connectOptions = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setTcpKeepAlive(true)
                .addProperty("application_name", applicationName + " listener");
        username.ifPresent(connectOptions::setUser);
        password.ifPresent(connectOptions::setPassword);
        this.reconnects = meters.counter("fleet.notify.reconnects");
        meters.gauge("fleet.notify.listener.connected", this, hub -> hub.isConnected() ? 1 : 0);
    }

    void start(@Observes StartupEvent event) {
        connect();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        PgConnection current = connection;
        if (current != null) {
            current.close();
        }
    }

    /**
     * Subscribes a listener to a channel. If the hub is connected, LISTEN is issued for a new
     * channel and the listener's {@code catchUp()} runs once LISTEN is in place; otherwise both
     * happen when the connection is (re)established.
     */
    public void subscribe(String channel, NotificationListener listener) {
        Channel.requireValidName(channel);
        boolean newChannel = !listeners.containsKey(channel);
        listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        PgConnection current = connection;
        if (current == null) {
            return;
        }
        if (!newChannel) {
            listener.catchUp();
            return;
        }
        current.query(listenStatement(List.of(channel))).execute().onComplete(result -> {
            if (result.succeeded()) {
                listener.catchUp();
            } else {
                LOG.warnf("LISTEN %s failed (%s); reconnecting", channel, result.cause().getMessage());
                current.close();
            }
        });
    }

    public boolean isConnected() {
        return connection != null;
    }

    public ListenerStatus status() {
        PgConnection current = connection;
        return new ListenerStatus(current != null, List.copyOf(listeners.keySet()), (long) reconnects.count(),
                current != null ? connectedSince : null, current != null ? current.processId() : null);
    }

    private void connect() {
        if (stopped) {
            return;
        }
        PgConnection.connect(vertx, connectOptions).onComplete(result -> {
            if (result.failed()) {
                LOG.warnf("NOTIFY listener cannot connect: %s", result.cause().getMessage());
                scheduleReconnect();
                return;
            }
            PgConnection fresh = result.result();
            fresh.notificationHandler(n -> dispatch(n.getChannel(), n.getPayload()));
            fresh.closeHandler(v -> onConnectionLost(fresh));
            List<String> channels = List.copyOf(listeners.keySet());
            if (channels.isEmpty()) {
                onListening(fresh, channels);
                return;
            }
            fresh.query(listenStatement(channels)).execute().onComplete(listen -> {
                if (listen.succeeded()) {
                    onListening(fresh, channels);
                } else {
                    LOG.warnf("LISTEN failed: %s", listen.cause().getMessage());
                    fresh.close();
                }
            });
        });
    }

    private void onListening(PgConnection fresh, List<String> channels) {
        if (stopped) {
            fresh.close();
            return;
        }
        if (failedAttempts > 0 || connectedSince != null) {
            reconnects.increment();
        }
        failedAttempts = 0;
        connectedSince = Instant.now(Clock.systemUTC());
        connection = fresh;
        LOG.infof("NOTIFY listener connected (backend %d), listening on %s", fresh.processId(), channels);
        // Channels subscribed while LISTEN was being issued are caught up by subscribe's own path.
        for (String channel : channels) {
            listeners.getOrDefault(channel, List.of()).forEach(this::catchUpSafely);
        }
        List<String> lateChannels = listeners.keySet().stream().filter(c -> !channels.contains(c)).toList();
        if (!lateChannels.isEmpty()) {
            fresh.query(listenStatement(lateChannels)).execute().onComplete(listen -> {
                if (listen.succeeded()) {
                    lateChannels.forEach(c -> listeners.get(c).forEach(this::catchUpSafely));
                } else {
                    fresh.close();
                }
            });
        }
    }

    private void onConnectionLost(PgConnection lost) {
        if (connection == lost) {
            connection = null;
        }
        if (!stopped) {
            LOG.warn("NOTIFY listener lost its connection; reconnecting");
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (stopped) {
            return;
        }
        long initial = Math.max(1, config.reconnectInitialDelay().toMillis());
        long ceiling = Math.max(initial, config.reconnectMaxDelay().toMillis());
        long delay = Math.min(ceiling, initial << Math.min(failedAttempts, 20));
        failedAttempts++;
        // Jitter spreads the reconnects of many replicas after a database restart.
        long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
        vertx.setTimer(Math.max(1, jittered), id -> connect());
    }

    private void dispatch(String channel, String payload) {
        List<NotificationListener> targets = listeners.getOrDefault(channel, List.of());
        meters.counter("fleet.notify.received", "channel", channel).increment();
        Notification notification = new Notification(channel, parse(channel, payload));
        for (NotificationListener listener : targets) {
            try {
                listener.onNotification(notification);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Listener %s failed on a %s notification", listener.getClass().getName(), channel);
            }
        }
    }

    private void catchUpSafely(NotificationListener listener) {
        try {
            listener.catchUp();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Listener %s failed to catch up", listener.getClass().getName());
        }
    }

    /** A payload that is not a JSON object still wakes the listener, as an overflow (catch up). */
    private static JsonObject parse(String channel, String payload) {
        try {
            return payload == null || payload.isBlank() ? new JsonObject() : new JsonObject(payload);
        } catch (DecodeException | ClassCastException e) {
            LOG.debugf("Non-JSON payload on %s treated as overflow", channel);
            return new JsonObject().put(TransactionNotifications.OVERFLOW, 1);
        }
    }

    private static String listenStatement(List<String> channels) {
        StringBuilder sql = new StringBuilder();
        channels.forEach(c -> sql.append("LISTEN ").append(Channel.requireValidName(c)).append(";"));
        return sql.toString();
    }
}
