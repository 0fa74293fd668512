package dev.fleet.session.session;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.lease.ResourceLeases;
import dev.fleet.session.lease.Resources;
import dev.fleet.session.metrics.SessionMetrics;
import dev.fleet.session.operation.OperationError;
import dev.fleet.session.operation.OperationKind;
import dev.fleet.session.operation.OperationStore;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.operation.OperationTimeouts;
import dev.fleet.session.runner.RunnerCaller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Session requests: create (with placement), and the lifecycle actions, each of which becomes an
 * operation the session's runner carries out (docs/session-states.md). A session runs one
 * operation at a time, except that stop supersedes whatever is open, so a session can always be
 * stopped. What happens when an operation ends is {@link OperationOutcomes}.
 */
@Singleton
public class SessionService {

    // The first step of a placed create: a slot on the least loaded matching runner and the session
    // recorded on it, in one statement ($1 pool, $2 labels, $3/$4 unused filters, then the session's columns).
    private static final String PLACE_NEW = "WITH chosen AS (" + Placement.CHOOSE + "), placed AS (" + Placement.TAKE_SLOT
            + ") INSERT INTO session.sessions (id, pool, labels, owner, kind, state, runner_id, host, created_at,"
            + " updated_at, auto_pause, idle_human_ms, idle_agent_ms, last_human_activity_at, last_agent_activity_at)"
            + " SELECT $5, $1, $2, $6, $7, 'starting', placed.id, placed.host, $8, $8, $9, $10, $11, $8, $8 FROM placed"
            + " RETURNING runner_id AS id, host";

    private static final String INSERT = """
            INSERT INTO session.sessions (id, pool, labels, owner, kind, state, runner_id, host, created_at, updated_at,
                start_deadline, auto_pause, idle_human_ms, idle_agent_ms, last_human_activity_at, last_agent_activity_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $9, $9)""";

    // Keyset pagination, newest first; every filter is optional.
    private static final String LIST = SessionView.SELECT + " WHERE ($1::text IS NULL OR s.pool = $1)"
            + " AND ($2::text IS NULL OR s.state = $2) AND ($3::uuid IS NULL OR s.runner_id = $3)"
            + " AND ($4::text IS NULL OR s.owner = $4) AND ($5::timestamptz IS NULL OR (s.created_at, s.id) < ($5, $6))"
            + " ORDER BY s.created_at DESC, s.id DESC LIMIT $7";

    private final SessionTransactions transactions;
    private final SessionStore store;
    private final Placement placement;
    private final ResourceLeases leases;
    private final OperationStore operations;
    private final OperationTimeouts timeouts;
    private final SessionConfig config;
    private final SessionMetrics metrics;
    private final HalfPlacedSessions halfPlaced;

    SessionService(SessionTransactions transactions, SessionStore store, Placement placement, ResourceLeases leases,
            OperationStore operations, OperationTimeouts timeouts, SessionConfig config, SessionMetrics metrics,
            HalfPlacedSessions halfPlaced) {
        this.metrics = metrics;
        this.halfPlaced = halfPlaced;
        this.transactions = transactions;
        this.store = store;
        this.placement = placement;
        this.leases = leases;
        this.operations = operations;
        this.timeouts = timeouts;
        this.config = config;
    }

    /**
     * Places the session and answers its start operation. With no runner free, 429/503 with
     * Retry-After, or, with {@code wait=true}, a pending session whose start waits up to
     * {@code fleet.session.pending-timeout} for one.
     *
     * <p>Two steps, so that concurrent creates on one runner wait on its row only while one
     * statement runs, not for a whole transaction: first the slot is taken and the session recorded
     * on it, in one statement of its own; then its resources and start operation, in a transaction.
     * If the second step fails the first is undone ({@link HalfPlacedSessions}).
     */
    public Uni<OperationView> createSession(CreateSessionRequest request) {
        UUID id = UUID.randomUUID();
        JsonObject labels = new JsonObject(new LinkedHashMap<>(request.labels()));
        boolean wait = Boolean.TRUE.equals(request.waitForRunner());
        boolean autoPause = !Boolean.FALSE.equals(request.autoPause());
        long idleHumanMs = orDefault(request.idleHumanMs(), config.idle().humanAfter());
        long idleAgentMs = orDefault(request.idleAgentMs(), config.idle().agentAfter());
        Tuple placing = Tuple.from(new Object[] { request.pool(), labels, null, null, id, request.owner(),
                request.kind().name(), Timestamps.param(transactions.clock().instant()), autoPause, idleHumanMs, idleAgentMs });
        return transactions.pool().preparedQuery(PLACE_NEW).execute(placing).map(Placement::placed).chain(placed -> {
            if (placed.isPresent()) {
                metrics.sessionCreated(request.pool(), "placed");
                return startPlaced(id, request.pool(), placed.get())
                        // Should the take-back fail too, the sweep does it later; the caller learns the first failure.
                        .onFailure().call(() -> halfPlaced.takeBack(transactions.pool(), id).onFailure().recoverWithNull());
            }
            if (!wait) {
                metrics.sessionCreated(request.pool(), "refused");
                return transactions.run(tx -> placement.refuse(tx, request.pool(), labels));
            }
            metrics.sessionCreated(request.pool(), "pending");
            return transactions.run(tx -> {
                Instant pendingDeadline = tx.now().plus(config.pendingTimeout());
                Tuple row = Tuple.from(new Object[] { id, request.pool(), labels, request.owner(), request.kind().name(),
                        SessionState.pending.name(), null, null, Timestamps.param(tx.now()), Timestamps.param(pendingDeadline),
                        autoPause, idleHumanMs, idleAgentMs });
                store.announce(tx, id, request.pool(), SessionState.pending, null, null);
                return tx.conn().preparedQuery(INSERT).execute(row).chain(() -> operations.insert(tx, OperationKind.start,
                        id, null, new JsonObject().put("session", id.toString()).put("pool", request.pool()), pendingDeadline));
            });
        });
    }

    /**
     * The second step of a placed create: the session's resources on its host and its start
     * operation for the runner. Its row is locked first, so a session stopped meanwhile (it is
     * listed from the first step on) is not started.
     */
    private Uni<OperationView> startPlaced(UUID id, String pool, Placement.Placed placed) {
        return transactions.run(tx -> {
            // The row lock, the host's lease lock and the allocation go out together (one round trip).
            Uni<SessionRow> locked = store.lock(tx, id);
            Uni<Resources> leased = leases.allocate(tx.conn(), placed.host(), id, tx.now());
            return Uni.combine().all().unis(locked, leased).asTuple().chain(both -> {
                if (both.getItem1().state() != SessionState.starting) {
                    throw SessionStore.wrongState(both.getItem1(), "start");
                }
                store.announce(tx, id, pool, SessionState.starting, null, placed.runnerId());
                JsonObject metadata = new JsonObject().put("session", id.toString()).put("pool", pool)
                        .put("resources", both.getItem2().toJson());
                return operations.insert(tx, OperationKind.start, id, placed.runnerId(), metadata,
                        timeouts.deadline(OperationKind.start, tx.now()));
            });
        });
    }

    public Uni<SessionView> findSessionById(UUID id) {
        return store.find(transactions.pool(), id);
    }

    public Uni<List<SessionView>> listSessions(SessionFilter filter) {
        if (filter.limit() > config.maxSessionsPerQuery()) {
            throw ProblemException.overLimit("limit", config.maxSessionsPerQuery(), "At most "
                    + config.maxSessionsPerQuery() + " sessions per query (fleet.session.max-sessions-per-query).");
        }
        return transactions.pool().preparedQuery(LIST).execute(Tuple.from(new Object[] { filter.pool(),
                filter.state() == null ? null : filter.state().name(), filter.runner(), filter.owner(),
                Timestamps.param(filter.beforeCreatedAt()), filter.beforeId(), filter.limit() }))
                .map(rows -> {
                    List<SessionView> views = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        views.add(SessionView.from(row, config.leases()));
                    }
                    return views;
                });
    }

    /**
     * Stops the session. Idempotent while a stop is open; supersedes any other open operation. A
     * session no runner has taken yet stops at once (its operation is answered done).
     */
    public Uni<OperationView> stopSession(UUID id, RunnerCaller caller) {
        return transactions.run(tx -> store.lock(tx, id).call(row -> requireHolder(tx, row, caller)).chain(row -> {
            if (row.state().isFinal()) {
                throw SessionStore.wrongState(row, "stop");
            }
            return operations.openFor(tx, id).chain(open -> {
                if (open.isPresent() && open.get().kind() == OperationKind.stop) {
                    return Uni.createFrom().item(open.get());
                }
                JsonObject metadata = new JsonObject().put("session", id.toString());
                if (row.state() == SessionState.pending) {
                    return operations.insert(tx, OperationKind.stop, id, null, metadata, tx.now())
                            .call(stop -> store.end(tx, row, SessionState.stopped, "stopped before a runner took it", stop.id()))
                            .chain(stop -> operations.succeed(tx, stop.id(), new JsonObject().put("state", "stopped")));
                }
                return operations.abortOpen(tx, id, null, "superseded by stop")
                        .chain(aborted -> store.releaseHandovers(tx, aborted))
                        .chain(() -> store.setState(tx, row, SessionState.stopping, null, false))
                        .chain(() -> operations.insert(tx, OperationKind.stop, id, row.runnerId(), metadata,
                                timeouts.deadline(OperationKind.stop, tx.now())));
            });
        }));
    }

    /** Pauses a running session; {@code auto} marks an idle auto-pause (activity may resume it). */
    public Uni<OperationView> pauseSession(UUID id, boolean auto) {
        return transactions.run(tx -> store.lock(tx, id).chain(row -> requireIdle(tx, row, SessionState.running, "pause")
                .chain(() -> operations.insert(tx, OperationKind.pause, id, row.runnerId(),
                        new JsonObject().put("session", id.toString()).put("auto", auto),
                        timeouts.deadline(OperationKind.pause, tx.now())))));
    }

    public Uni<OperationView> resumeSession(UUID id) {
        return transactions.run(tx -> store.lock(tx, id).chain(row -> requireIdle(tx, row, SessionState.paused, "resume")
                .chain(() -> operations.insert(tx, OperationKind.resume, id, row.runnerId(),
                        new JsonObject().put("session", id.toString()), timeouts.deadline(OperationKind.resume, tx.now())))));
    }

    /**
     * Restarts one component of a running session, within the restart budget: at most
     * {@code restart-max-per-window} per window, and each restart at least a doubling backoff after
     * the previous one. Past that the operation is recorded as failed at once (RESOURCE_EXHAUSTED,
     * with {@code retryAfterMs} in its metadata) and the caller gets 429.
     */
    public Uni<OperationView> restartComponent(UUID id, String component, RunnerCaller caller) {
        SessionConfig.Operations rules = config.operations();
        return transactions.run(tx -> store.lock(tx, id).call(row -> requireHolder(tx, row, caller)).chain(row -> requireIdle(tx, row, SessionState.running, "restart a component")
                .chain(() -> operations.recentRestarts(tx, id, component, tx.now().minus(rules.restartWindow())))
                .chain(recent -> {
                    Optional<Duration> wait = RestartBudget.waitBeforeRestart(recent, tx.now(), rules);
                    JsonObject metadata = new JsonObject().put("session", id.toString()).put("component", component);
                    if (wait.isEmpty()) {
                        return operations.insert(tx, OperationKind.restart, id, row.runnerId(), metadata,
                                timeouts.deadline(OperationKind.restart, tx.now()));
                    }
                    metadata.put("retryAfterMs", wait.get().toMillis());
                    return operations.insert(tx, OperationKind.restart, id, row.runnerId(), metadata, tx.now())
                            .chain(op -> operations.fail(tx, op.id(), OperationError.RESOURCE_EXHAUSTED,
                                    RestartBudget.reason(component, recent.size(), wait.get(), rules)));
                })));
    }

    /**
     * Moves a running or paused session to another runner of its pool ({@code toRunner}, or the
     * least loaded other one). The new runner's slot and resources are reserved now; the old ones
     * are given back when the handover succeeds, the new ones if it fails.
     */
    public Uni<OperationView> handoverSession(UUID id, UUID toRunner) {
        return transactions.run(tx -> store.lock(tx, id).chain(row -> {
            if (row.state() != SessionState.running && row.state() != SessionState.paused) {
                throw SessionStore.wrongState(row, "be handed over");
            }
            if (row.runnerId().equals(toRunner)) {
                throw ProblemException.invalidField("runnerId", "Session " + id + " already runs on runner " + toRunner + ".");
            }
            return requireNoOpenOperation(tx, row)
                    .chain(() -> placement.place(tx, row.pool(), row.labels(), row.runnerId(), toRunner))
                    .chain(placed -> {
                        if (placed.isEmpty()) {
                            return placement.refuse(tx, row.pool(), row.labels());
                        }
                        Placement.Placed target = placed.get();
                        JsonObject metadata = new JsonObject().put("session", id.toString())
                                .put("fromRunner", row.runnerId().toString()).put("fromHost", row.host())
                                .put("toRunner", target.runnerId().toString()).put("toHost", target.host());
                        Uni<Void> reserved = target.host().equals(row.host())
                                ? Uni.createFrom().voidItem() // same machine: the session keeps what it holds
                                : leases.allocate(tx.conn(), target.host(), id, tx.now())
                                        .invoke(resources -> metadata.put("resources", resources.toJson())).replaceWithVoid();
                        return reserved.chain(() -> operations.insert(tx, OperationKind.handover, id, target.runnerId(),
                                metadata, timeouts.deadline(OperationKind.handover, tx.now())));
                    });
        }));
    }

    /**
     * Places a pending session if a runner is free now: it takes the slot and resources and its
     * start operation goes to that runner with a fresh deadline. False when it stays pending.
     */
    public Uni<Boolean> placePendingSession(UUID id) {
        return transactions.run(tx -> store.lock(tx, id).chain(row -> {
            if (row.state() != SessionState.pending) {
                return Uni.createFrom().item(false);
            }
            return placement.place(tx, row.pool(), row.labels(), null, null).chain(placed -> {
                if (placed.isEmpty()) {
                    return Uni.createFrom().item(false);
                }
                Placement.Placed target = placed.get();
                return store.assign(tx, row, target.runnerId(), target.host())
                        .chain(assigned -> store.setState(tx, assigned, SessionState.starting, null, false))
                        .chain(() -> leases.allocate(tx.conn(), target.host(), id, tx.now()))
                        .chain(resources -> operations.openFor(tx, id).chain(open -> operations.assign(tx,
                                open.orElseThrow().id(), target.runnerId(), timeouts.deadline(OperationKind.start, tx.now()),
                                new JsonObject().put("resources", resources.toJson()))))
                        .replaceWith(true);
            });
        }));
    }

    /**
     * Applies {@link IdlePolicy} to one session under its row lock: starts an automatic pause or
     * resume when the rule says so and no other operation is open. Empty when nothing was done.
     */
    public Uni<Optional<OperationView>> applyIdlePolicy(UUID id) {
        return transactions.run(tx -> store.lock(tx, id).chain(row -> {
            IdlePolicy.Decision decision = IdlePolicy.decide(row, tx.now(), config.idle());
            if (decision == IdlePolicy.Decision.NONE) {
                return Uni.createFrom().item(Optional.<OperationView>empty());
            }
            return operations.openFor(tx, id).chain(open -> {
                if (open.isPresent()) {
                    return Uni.createFrom().item(Optional.<OperationView>empty());
                }
                OperationKind kind = decision == IdlePolicy.Decision.PAUSE ? OperationKind.pause : OperationKind.resume;
                return operations.insert(tx, kind, id, row.runnerId(),
                        new JsonObject().put("session", id.toString()).put("auto", true),
                        timeouts.deadline(kind, tx.now())).map(Optional::of);
            });
        }));
    }

    /** A runner (non-null caller) may act only on a session it holds, proven by its token. */
    private static Uni<Void> requireHolder(SessionTx tx, SessionRow row, RunnerCaller caller) {
        return caller == null ? Uni.createFrom().voidItem()
                : caller.requireRunner(tx.conn(), row.runnerId(), "Session " + row.id());
    }

    private Uni<Void> requireIdle(SessionTx tx, SessionRow row, SessionState required, String action) {
        if (row.state() != required) {
            throw SessionStore.wrongState(row, action);
        }
        return requireNoOpenOperation(tx, row);
    }

    private Uni<Void> requireNoOpenOperation(SessionTx tx, SessionRow row) {
        return operations.openFor(tx, row.id()).map(open -> {
            if (open.isPresent()) {
                throw ProblemException.conflict("operation-in-progress", "Session " + row.id() + " is busy with "
                        + open.get().kind() + " operation " + open.get().id() + "; wait for it or stop the session.")
                        .with("state", row.state().name()).with("operation", open.get().id().toString());
            }
            return null;
        });
    }

    private static long orDefault(Long millis, Duration fallback) {
        return millis != null ? millis : fallback.toMillis();
    }
}
