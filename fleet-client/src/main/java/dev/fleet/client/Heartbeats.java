package dev.fleet.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends a runner's heartbeat on a timer at the interval session-service asked for at
 * registration, with the figures {@code load} gives at that moment, and hands each reply to
 * {@code onReply}. A failed heartbeat is logged and the next one tries again: silence is what
 * session-service reads as ill health, so nothing here gives up.
 */
public final class Heartbeats implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Heartbeats.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("fleet-heartbeat").daemon().factory());

    public Heartbeats(SessionClient sessions, RegisteredRunner runner, Supplier<RunnerLoad> load,
            Consumer<HeartbeatReply> onReply) {
        long every = runner.heartbeatInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                onReply.accept(sessions.heartbeat(runner, load.get()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "heartbeat of runner " + runner.id() + " failed: " + e.getMessage());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
