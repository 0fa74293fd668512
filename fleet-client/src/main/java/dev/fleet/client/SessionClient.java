package dev.fleet.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;

/** The runner side of session-service: membership, heartbeats, operations and session event logs. */
public final class SessionClient {

    private static final String RUNNER_TOKEN = "X-Runner-Token";

    private final Transport transport;
    private final URI base;
    private final RetryPolicy retry;

    SessionClient(Transport transport, URI base, RetryPolicy retry) {
        this.transport = transport;
        this.base = base;
        this.retry = retry;
    }

    /** Registers, retrying for as long as {@code retry} allows (a runner starting before the service). */
    public RegisteredRunner register(RunnerRegistration registration, RetryPolicy retry) {
        JsonNode answer = transport.call("POST", base.resolve("/runners"), registration, Map.of(), JsonNode.class,
                retry, Duration.ZERO);
        JsonNode runner = answer.get("runner");
        return new RegisteredRunner(runner.get("id").asText(), runner.get("pool").asText(), answer.get("token").asText(),
                Duration.ofMillis(answer.path("heartbeatIntervalMs").asLong(5000)));
    }

    public RegisteredRunner register(RunnerRegistration registration) {
        return register(registration, retry);
    }

    public HeartbeatReply heartbeat(RegisteredRunner runner, RunnerLoad load) {
        return call("POST", "/runners/" + runner.id() + "/heartbeat", runner, load, HeartbeatReply.class);
    }

    /** No new sessions for this runner; those it has run on. */
    public void drain(RegisteredRunner runner) {
        call("POST", "/runners/" + runner.id() + "/drain", runner, null, Void.class);
    }

    /** Leaves the pool; {@code force} ends sessions still live on it (in error, "runner deregistered"). */
    public void deregister(RegisteredRunner runner, boolean force) {
        call("DELETE", "/runners/" + runner.id() + (force ? "?force=true" : ""), runner, null, Void.class);
    }

    /** The operations waiting for this runner, oldest first. */
    public List<Operation> openOperations(RegisteredRunner runner) {
        record Page(List<Operation> operations) {
        }
        List<Operation> newestFirst = call("GET", "/operations?runner=" + runner.id() + "&done=false", runner, null,
                Page.class).operations();
        return newestFirst == null ? List.of() : newestFirst.reversed();
    }

    public void completeOperation(RegisteredRunner runner, String operationId, Object result) {
        call("POST", "/operations/" + operationId + "/complete", runner, result == null ? Map.of()
                : Map.of("result", result), Void.class);
    }

    public void failOperation(RegisteredRunner runner, String operationId, String error) {
        call("POST", "/operations/" + operationId + "/fail", runner, Map.of("error", error), Void.class);
    }

    /** Appends events to a session's log, in order, in one request. */
    public void appendEvents(RegisteredRunner runner, String sessionId, List<SessionEvent> events) {
        call("POST", "/sessions/" + sessionId + "/events", runner, Map.of("events", events), Void.class);
    }

    /**
     * Opens this runner's channel to session-service (docs/runner-protocol.md): pushed operations go
     * to {@code onOperation} on the socket's thread, so hand real work to an executor. It connects in
     * the background and reconnects by itself; see {@link RunnerChannel}.
     */
    public RunnerChannel openChannel(RegisteredRunner runner, Consumer<Operation> onOperation) {
        return openChannel(runner, onOperation, List.of(base));
    }

    /** The same, trying {@code endpoints} (session-service replicas) in turn when one cannot be reached. */
    public RunnerChannel openChannel(RegisteredRunner runner, Consumer<Operation> onOperation, List<URI> endpoints) {
        RetryPolicy reconnect = new RetryPolicy(retry.initialDelay(), retry.maxDelay(), Duration.ZERO);
        return new RunnerChannel(transport.http(), transport.authorization(), endpoints, runner, onOperation, reconnect,
                transport.requestTimeout());
    }

    private <T> T call(String method, String path, RegisteredRunner runner, Object body, Class<T> answer) {
        return transport.call(method, base.resolve(path), body, Map.of(RUNNER_TOKEN, runner.token()), answer, retry,
                Duration.ZERO);
    }
}
