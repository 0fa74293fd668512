package dev.fleet.runner;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.fleet.client.HeartbeatReply;
import dev.fleet.client.Operation;
import dev.fleet.client.RegisteredRunner;
import dev.fleet.client.SessionClient;
import dev.fleet.client.SessionEvent;

/**
 * Carries out the session operations session-service assigns to this runner. The reference
 * runner has no browser or desktop to start, so each operation succeeds at once; it logs a
 * system event to the session so the session's log shows who did what. A real runner starts its
 * process here, reports progress, and fails the operation when that fails.
 */
final class SessionOperations implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionOperations.class.getName());

    private final SessionClient sessions;
    private final RegisteredRunner runner;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("fleet-operations").daemon().factory());
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Set<String> liveSessions = ConcurrentHashMap.newKeySet();

    SessionOperations(SessionClient sessions, RegisteredRunner runner) {
        this.sessions = sessions;
        this.runner = runner;
    }

    /** A heartbeat said operations wait: fetch and do them (once at a time, however many heartbeats say so). */
    void onHeartbeat(HeartbeatReply reply) {
        if (reply.pendingOperations() > 0 && queued.compareAndSet(false, true)) {
            worker.submit(this::carryOutOpen);
        }
    }

    int activeSessions() {
        return liveSessions.size();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    private void carryOutOpen() {
        queued.set(false);
        try {
            for (Operation operation : sessions.openOperations(runner)) {
                carryOut(operation);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not fetch this runner's operations: " + e.getMessage());
        }
    }

    private void carryOut(Operation operation) {
        String session = operation.target();
        try {
            sessions.appendEvents(runner, session, List.of(new SessionEvent("runner." + operation.kind(), "system",
                    Map.of("runner", runner.id(), "operation", operation.id()))));
            sessions.completeOperation(runner, operation.id(), Map.of("runner", runner.id()));
            switch (operation.kind()) {
                case "start", "handover" -> liveSessions.add(session);
                case "stop" -> liveSessions.remove(session);
                default -> { }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, operation.kind() + " of session " + session + " (operation "
                    + operation.id() + ") failed: " + e.getMessage());
        }
    }
}
