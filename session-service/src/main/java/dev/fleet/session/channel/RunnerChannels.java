package dev.fleet.session.channel;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.notify.Notification;
import dev.fleet.platform.notify.NotificationListener;
import dev.fleet.platform.notify.PgNotificationHub;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.operation.OperationsCommitted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * The runner channels open on this replica, by runner, and what makes them push: a
 * {@code fleet_session} notification {@code {"event": "operation", "runner"}} — sent by whichever
 * replica created or assigned the operation — makes the channel of that runner, if this replica
 * holds it, read the runner's open operations and push the ones it has not yet delivered. An
 * overflow or a reconnect of the listener makes every channel read. The notification is only a
 * hint: the read from the table is what is pushed, so a lost notification costs latency (until
 * the runner's polling or the next read), never an operation. An operation committed on this
 * replica for a runner whose channel it holds is pushed straight away ({@link OperationsCommitted}),
 * without waiting for the notification's round trip through PostgreSQL and the read after it.
 *
 * <p>A runner has one channel per replica at most: a second handshake on the same replica
 * replaces the first (a runner that reconnects before its old socket timed out).
 */
@Singleton
public class RunnerChannels implements NotificationListener {

    private final Map<UUID, RunnerChannel> byRunner = new ConcurrentHashMap<>();
    private final PgNotificationHub hub;
    private final ChannelDispatcher dispatcher;
    private final Vertx vertx;
    private final SessionConfig config;
    private final Counter pushes;
    private final Counter redeliveries;

    RunnerChannels(PgNotificationHub hub, ChannelDispatcher dispatcher, Vertx vertx, SessionConfig config,
            MeterRegistry meters) {
        this.hub = hub;
        this.dispatcher = dispatcher;
        this.vertx = vertx;
        this.config = config;
        this.pushes = Counter.builder("fleet.session.channel.pushes").tag("delivery", "first").register(meters);
        this.redeliveries = Counter.builder("fleet.session.channel.pushes").tag("delivery", "redelivery").register(meters);
        meters.gauge("fleet.session.channels", byRunner, Map::size);
    }

    void subscribe(@Observes StartupEvent event) {
        hub.subscribe(Channel.SESSION, this);
    }

    void closeAll(@Observes ShutdownEvent event) {
        byRunner.values().forEach(channel -> channel.close(1001, "session-service is stopping"));
    }

    boolean isFull() {
        return byRunner.size() >= config.channel().maxChannels();
    }

    /** Runner channels open on this replica. */
    public int channelCount() {
        return byRunner.size();
    }

    void open(UUID runner, byte[] tokenDigest, ServerWebSocket socket) {
        RunnerChannel channel = new RunnerChannel(runner, tokenDigest, socket, vertx, dispatcher, config,
                this::left, first -> (first ? pushes : redeliveries).increment());
        RunnerChannel previous = byRunner.put(runner, channel);
        if (previous != null) {
            previous.close(4000, "replaced by a newer channel of the same runner");
        }
        channel.start();
    }

    /** Pushes what a transaction of this replica just handed to runners whose channel is here. */
    void onCommitted(@Observes OperationsCommitted committed) {
        for (OperationView op : committed.operations()) {
            RunnerChannel channel = op.runnerId() == null ? null : byRunner.get(op.runnerId());
            if (channel != null) {
                channel.offer(op);
            }
        }
    }

    private void left(RunnerChannel channel) {
        byRunner.remove(channel.runner(), channel);
    }

    @Override
    public void onNotification(Notification notification) {
        if (notification.overflow()) {
            refreshAll();
            return;
        }
        for (JsonObject event : notification.events()) {
            if (!"operation".equals(event.getValue("event"))) {
                continue;
            }
            RunnerChannel channel = event.getValue("runner") instanceof String id ? byRunner.get(uuid(id)) : null;
            if (channel != null) {
                channel.refresh();
            }
        }
    }

    /** Notifications are not durable: after a (re)connect every channel reads its runner's open operations. */
    @Override
    public void catchUp() {
        refreshAll();
    }

    private void refreshAll() {
        byRunner.values().forEach(RunnerChannel::refresh);
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return new UUID(0, 0);
        }
    }
}
