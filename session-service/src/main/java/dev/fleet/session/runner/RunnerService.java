package dev.fleet.session.runner;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.metrics.SessionMetrics;
import dev.fleet.session.notify.RunnerPublisher;
import dev.fleet.session.notify.RunnerPublisher.RunnerChange;
import dev.fleet.session.session.SessionEnder;
import dev.fleet.session.session.SessionTransactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The runner registry: register, heartbeat (the hot path), drain, deregister, snapshots. */
@Singleton
public class RunnerService {

    private final SessionTransactions transactions;
    private final RunnerPublisher publisher;
    private final SessionEnder sessionEnder;
    private final SessionConfig config;
    private final SessionMetrics metrics;

    RunnerService(SessionTransactions transactions, RunnerPublisher publisher, SessionEnder sessionEnder,
            SessionConfig config, SessionMetrics metrics) {
        this.metrics = metrics;
        this.transactions = transactions;
        this.publisher = publisher;
        this.sessionEnder = sessionEnder;
        this.config = config;
    }

    public Uni<RegisteredRunner> registerRunner(RegisterRunnerRequest request) {
        String endpointHost = hostOf(request.endpoint());
        String host = request.host() != null && !request.host().isBlank() ? request.host() : endpointHost;
        String token = RunnerTokens.newToken();
        JsonObject labels = new JsonObject(request.labels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(request.labels()));
        Tuple args = Tuple.from(new Object[] { UUID.randomUUID(), request.pool(), request.endpoint(), host,
                request.maxSessions(), request.weight() == null ? 1.0 : request.weight(), labels, request.version(),
                Buffer.buffer(RunnerTokens.digest(token)),
                Timestamps.param(transactions.clock().instant()) });
        return transactions.pool().withTransaction(tx -> tx.preparedQuery(RunnerQueries.REGISTER).execute(args)
                .map(rows -> RunnerView.from(rows.iterator().next(), transactions.clock().instant()))
                .call(view -> publisher.publish(tx, List.of(change("registered", view)))))
                .map(view -> new RegisteredRunner(view, token, config.runners().heartbeatInterval().toMillis()));
    }

    /** One statement: records the figures, derives health, announces a change of it. */
    public Uni<HeartbeatResponse> heartbeat(UUID id, RunnerCaller caller, HeartbeatRequest beat) {
        RunnerHealth health = RunnerHealth.fromHeartbeat(beat, config.runners());
        Tuple args = Tuple.from(new Object[] { id, Timestamps.param(transactions.clock().instant()), health.name(),
                beat.cpuPercent(), beat.memoryPercent(), beat.activeSessions(), beat.activeConnections(),
                beat.avgResponseMs(), beat.avgThinkingMs(), beat.queueDepth(), digest(caller) });
        return transactions.pool().preparedQuery(RunnerQueries.HEARTBEAT).execute(args).chain(rows -> {
            if (rows.size() == 0) {
                return refusal(id);
            }
            Row row = rows.iterator().next();
            metrics.heartbeat();
            return Uni.createFrom().item(new HeartbeatResponse(RunnerHealth.valueOf(row.getString("health")),
                    row.getBoolean("draining"), row.getLong("pending")));
        });
    }

    /** No new sessions go to a draining runner; its sessions run on until they end. */
    public Uni<RunnerView> drainRunner(UUID id, RunnerCaller caller) {
        return transactions.pool().withTransaction(tx -> tx.preparedQuery(RunnerQueries.DRAIN).execute(Tuple.of(id, digest(caller)))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return refusal(id);
                    }
                    RunnerView view = RunnerView.from(rows.iterator().next(), transactions.clock().instant());
                    return publisher.publish(tx, List.of(change("draining", view))).replaceWith(view);
                }));
    }

    /**
     * Removes the runner. With live sessions it refuses (409) unless {@code force}, which ends them
     * in {@code error} ("runner deregistered") first.
     */
    public Uni<RunnerView> deregisterRunner(UUID id, RunnerCaller caller, boolean force) {
        // Sessions first, then the runner row: the same lock order as ending a session, so no deadlock.
        return transactions.run(tx -> tx.conn().preparedQuery(RunnerQueries.FIND).execute(Tuple.of(id))
                .chain(found -> {
                    if (found.size() == 0) {
                        throw unknownRunner(id);
                    }
                    RunnerView current = RunnerView.from(found.iterator().next(), tx.now());
                    if (current.liveSessions() > 0 && !force) {
                        throw ProblemException.conflict("runner-busy", "Runner " + id + " still has "
                                + current.liveSessions() + " live session(s); drain it and wait, or deregister with"
                                + " force=true to end them in error.").with("liveSessions", current.liveSessions());
                    }
                    return sessionEnder.endSessionsOfRunner(tx, id, "runner deregistered")
                            .chain(() -> tx.conn().preparedQuery(RunnerQueries.DEREGISTER).execute(Tuple.of(id, digest(caller))))
                            .chain(rows -> {
                                if (rows.size() == 0) {
                                    throw RunnerCaller.wrongToken("This token is not runner " + id + "'s.");
                                }
                                return publisher.publish(tx.conn(), List.of(change("deregistered", current))).replaceWith(current);
                            });
                }));
    }

    public Uni<RunnerView> findRunnerById(UUID id) {
        return transactions.pool().preparedQuery(RunnerQueries.FIND).execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                throw unknownRunner(id);
            }
            return RunnerView.from(rows.iterator().next(), transactions.clock().instant());
        });
    }

    /** The snapshot gateways and the scaler start from; {@code state} is a health or {@code draining}. */
    public Uni<List<RunnerView>> listRunners(String pool, String state) {
        return transactions.pool().preparedQuery(RunnerQueries.LIST).execute(Tuple.of(pool, state)).map(rows -> {
            List<RunnerView> views = new ArrayList<>(rows.size());
            rows.forEach(row -> views.add(RunnerView.from(row, transactions.clock().instant())));
            return views;
        });
    }

    /** Why a runner statement changed nothing: no such runner (404), or not its token (403). */
    private <T> Uni<T> refusal(UUID id) {
        return transactions.pool().preparedQuery(RunnerQueries.EXISTS).execute(Tuple.of(id)).map(rows -> {
            if (rows.size() == 0) {
                throw unknownRunner(id);
            }
            throw RunnerCaller.wrongToken("This token is not runner " + id + "'s.");
        });
    }

    static ProblemException unknownRunner(UUID id) {
        return ProblemException.notFound("runner", "There is no runner " + id
                + " (never registered, deregistered, or forgotten after being gone for fleet.session.runners.forget-after).");
    }

    private static Buffer digest(RunnerCaller caller) {
        return caller.tokenDigest() == null ? null : Buffer.buffer(caller.tokenDigest());
    }

    private static RunnerChange change(String event, RunnerView view) {
        return new RunnerChange(event, view.id(), view.pool(), view.health().name());
    }

    private static String hostOf(String endpoint) {
        try {
            String host = URI.create(endpoint).getHost();
            if (host != null) {
                return host;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ProblemException.invalidField("endpoint", "endpoint must be an absolute URL such as http://10.0.0.7:9000.");
    }
}
