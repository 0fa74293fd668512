package dev.fleet.runner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.fleet.client.HeartbeatReply;
import dev.fleet.client.Operation;
import dev.fleet.client.RegisteredRunner;
import dev.fleet.client.RunnerChannel;
import dev.fleet.client.SessionClient;
import dev.fleet.client.SessionEvent;

/**
 * Carries out the session operations session-service assigns to this runner. They arrive pushed
 * on the runner channel the moment they exist; while the channel is down, a heartbeat that says
 * operations wait makes it fetch them (polling). Both paths may bring the same operation more
 * than once (at-least-once delivery, a poll racing a push), so each operation id is carried out
 * once. Operations of different sessions run side by side (a session has at most one open
 * operation, and one session's operations are run in the order they came): eight sessions
 * started together do not queue behind each other's round trips. The reference runner has no
 * browser or desktop to start, so each operation succeeds at once; then it logs a system event to the
 * session, so the session's log shows who did what. A real
 * runner starts its process here, reports progress, and fails the operation when that fails.
 */
final class SessionOperations implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SessionOperations.class.getName());
    /** Operation ids remembered as handled: far more than can be open on one runner at once. */
    private static final int REMEMBERED = 4096;

    private final SessionClient sessions;
    private final RegisteredRunner runner;
    /** Blocking REST and channel calls: a virtual thread each, so they overlap without a pool to size. */
    private final ExecutorService worker = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("fleet-operation-", 0).factory());
    private final AtomicBoolean queued = new AtomicBoolean();
    /** The last operation submitted per session, so a session's operations run in order. */
    private final Map<String, CompletableFuture<Void>> lastOfSession = new ConcurrentHashMap<>();
    private final Set<String> liveSessions = ConcurrentHashMap.newKeySet();
    /** Operation ids being carried out or done (bounded, oldest forgotten); guarded by itself. */
    private final Map<String, Boolean> handled = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private volatile RunnerChannel channel;

    SessionOperations(SessionClient sessions, RegisteredRunner runner) {
        this.sessions = sessions;
        this.runner = runner;
    }

    /** Reports go over this channel while it is open (REST otherwise). */
    void useChannel(RunnerChannel channel) {
        this.channel = channel;
    }

    /** An operation pushed on the channel (called on the socket's thread: queue it). */
    void onPushed(Operation operation) {
        submit(operation);
    }

    /** A heartbeat said operations wait: unless the channel brings them, fetch and do them. */
    void onHeartbeat(HeartbeatReply reply) {
        RunnerChannel current = channel;
        if (current != null && current.isOpen()) {
            return;
        }
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
                submit(operation);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not fetch this runner's operations: " + e.getMessage());
        }
    }

    /** Runs the operation after the ones of its session submitted before it, beside other sessions' operations. */
    private void submit(Operation operation) {
        String session = operation.target();
        CompletableFuture<Void> next = lastOfSession.compute(session, (key, tail) ->
                (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail.exceptionally(error -> null))
                        .thenRunAsync(() -> carryOutOnce(operation), worker));
        next.whenComplete((ok, error) -> lastOfSession.remove(session, next));
    }

    /** Claims the id first, so a push and a poll of the same operation racing on two threads do it once. */
    private void carryOutOnce(Operation operation) {
        synchronized (handled) {
            if (handled.putIfAbsent(operation.id(), Boolean.TRUE) != null) {
                return;
            }
        }
        if (!carryOut(operation)) {
            synchronized (handled) {
                handled.remove(operation.id());
            }
        }
    }

    private boolean carryOut(Operation operation) {
        String session = operation.target();
        try {
            // The completion is what the user waits for (the session turns running); the log entry
            // after it costs them no round trip.
            complete(operation.id(), Map.of("runner", runner.id()));
            switch (operation.kind()) {
                case "start", "handover" -> liveSessions.add(session);
                case "stop" -> liveSessions.remove(session);
                default -> { }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, operation.kind() + " of session " + session + " (operation "
                    + operation.id() + ") failed: " + e.getMessage());
            // An operation that ended meanwhile (409) is done with; anything else may be tried again.
            return e instanceof dev.fleet.client.FleetApiException api && api.status() == 409;
        }
        try {
            sessions.appendEvents(runner, session, List.of(new SessionEvent("runner." + operation.kind(), "system",
                    Map.of("runner", runner.id(), "operation", operation.id()))));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not log " + operation.kind() + " to session " + session + ": "
                    + e.getMessage());
        }
        return true;
    }

    private void complete(String operation, Object result) {
        RunnerChannel current = channel;
        if (current != null && current.isOpen()) {
            try {
                current.complete(operation, result);
                return;
            } catch (RunnerChannel.ChannelDownException e) {
                LOG.log(System.Logger.Level.DEBUG, "channel down while completing " + operation + "; using REST");
            }
        }
        sessions.completeOperation(runner, operation, result);
    }
}
