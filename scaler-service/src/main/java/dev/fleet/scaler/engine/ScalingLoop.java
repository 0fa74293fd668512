package dev.fleet.scaler.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.ScalingBackend;
import dev.fleet.scaler.backend.ScalingBackends;
import dev.fleet.scaler.config.ScalerConfig;
import dev.fleet.scaler.event.EventStore;
import dev.fleet.scaler.event.ScalingEvent;
import dev.fleet.scaler.input.FleetReads;
import dev.fleet.scaler.input.PoolInputs;
import dev.fleet.scaler.input.SampleStore;
import dev.fleet.scaler.policy.Decision;
import dev.fleet.scaler.policy.InvalidPolicyException;
import dev.fleet.scaler.policy.MetricNames;
import dev.fleet.scaler.policy.PolicyEvaluator;
import dev.fleet.scaler.policy.PoolPolicy;
import dev.fleet.scaler.policy.PoolState;
import dev.fleet.scaler.policy.ThresholdRule;
import dev.fleet.scaler.pool.PoolRecord;
import dev.fleet.scaler.pool.PoolStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * The leader's work: evaluate pools and carry out their decisions. A periodic round (every
 * {@code evaluation-interval}) reads all inputs in two requests and evaluates every pool, so
 * duration rules see a steady series; NOTIFY events ({@link #poke}) evaluate the affected pools
 * at once, which is what makes the reaction to a crossed threshold sub-second. Evaluations run
 * one at a time on one thread (a pool's memory has one writer); backend calls run beside it, at
 * most one per pool, so a slow graceful stop in one pool holds up no other.
 */
@Singleton
public class ScalingLoop {

    private static final Logger LOG = Logger.getLogger(ScalingLoop.class);
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** After a replace-all, the new instances need time to register before health can judge them. */
    static final Duration REPLACE_ALL_INTERVAL = Duration.ofMinutes(2);
    /** How often the recorded sizes are checked against what the backends really run. */
    static final Duration SYNC_INTERVAL = Duration.ofMinutes(1);

    private final PoolStore pools;
    private final EventStore events;
    private final SampleStore samples;
    private final FleetReads reads;
    private final ScalingBackends backends;
    private final LeaderElection leader;
    private final ScalerConfig config;
    private final ScalerMetrics metrics;
    private final Clock clock;
    private final ExecutorService evaluator = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("scaler-evaluator").daemon().factory());
    private final ExecutorService calls = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("scaler-backend-", 1).daemon().factory());
    private final Map<String, PoolMemory> memory = new ConcurrentHashMap<>();
    private final Set<String> calling = ConcurrentHashMap.newKeySet();
    private final Set<String> poked = ConcurrentHashMap.newKeySet();
    /** Pools poked while a backend call ran for them: evaluated again as soon as it ends. */
    private final Set<String> pokedWhileCalling = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    /** When the recorded sizes were last checked against the backends; null: not since this replica began leading. */
    private Instant lastSync;

    ScalingLoop(PoolStore pools, EventStore events, SampleStore samples, FleetReads reads, ScalingBackends backends,
            LeaderElection leader, ScalerConfig config, ScalerMetrics metrics, Clock clock) {
        this.pools = pools;
        this.events = events;
        this.samples = samples;
        this.reads = reads;
        this.backends = backends;
        this.leader = leader;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Scheduled(every = "${fleet.scaler.evaluation-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (leader.isLeader()) {
            requestRound();
        } else if (lastSync != null) {
            evaluator.submit(this::forgetLeadership);
        }
    }

    /** Queues a round over every pool (at most one waits at a time). */
    public void requestRound() {
        if (roundQueued.compareAndSet(false, true)) {
            evaluator.submit(() -> {
                roundQueued.set(false);
                safely("evaluation round", this::round);
            });
        }
    }

    /** Something changed for these pools (queue depth, runner health, a manual scale): evaluate them now. */
    public void poke(Collection<String> poolNames) {
        if (!leader.isLeader() || poolNames.isEmpty()) {
            return;
        }
        poked.addAll(poolNames);
        evaluator.submit(() -> safely("evaluation of " + poolNames, this::evaluatePoked));
    }

    /** Runs a round on the evaluator thread (as the scheduler would) and waits for it. */
    void roundAndWait() throws Exception {
        evaluator.submit(() -> {
            round();
            return null;
        }).get();
    }

    /** Whether a backend call for {@code pool} is still running (tests and the bench wait on it). */
    public boolean calling(String pool) {
        return calling.contains(pool);
    }

    void round() throws Exception {
        long started = System.nanoTime();
        Instant now = clock.instant();
        List<PoolRecord> all = pools.all().await().atMost(AWAIT);
        memory.keySet().retainAll(all.stream().map(PoolRecord::name).collect(Collectors.toSet()));
        if (all.isEmpty()) {
            return;
        }
        Map<String, PoolInputs> inputs = null;
        try {
            inputs = reads.all(all.stream().collect(Collectors.toMap(PoolRecord::name, PoolRecord::queue)));
        } catch (Exception e) {
            // Evaluate anyway: manual requests still go through, and stale metrics make rules wait, not guess.
            LOG.warnf("cannot read the pools' inputs (%s); evaluating without new samples", e.getMessage());
        }
        if (lastSync == null || !now.isBefore(lastSync.plus(SYNC_INTERVAL))) {
            syncWithBackends(all);
            lastSync = now;
            all = pools.all().await().atMost(AWAIT);
        }
        Map<String, List<Decision>> changes = changesByPool(now.minus(longestLookBack(all)), null);
        List<SampleStore.Row> toStore = new ArrayList<>();
        for (PoolRecord pool : all) {
            PoolInputs in = inputs == null ? null : inputs.getOrDefault(pool.name(), PoolInputs.NONE);
            // One pool's trouble must not cost the pools after it their evaluation.
            safely("evaluation of pool " + pool.name(), () -> evaluate(pool, in,
                    changes.getOrDefault(pool.name(), List.of()), now, toStore));
        }
        samples.add(toStore).await().atMost(AWAIT);
        metrics.round(all.size(), Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * Sets each pool's recorded size to what its backend runs: after a restart or a failover (the
     * processes of a stopped stack are gone, a Deployment was edited by hand) and every minute, so
     * decisions start from the truth rather than from the last size asked.
     */
    private void syncWithBackends(List<PoolRecord> all) {
        for (PoolRecord pool : all) {
            Optional<ScalingBackend> backend = backends.find(pool.spec().backend().kind());
            if (backend.isEmpty() || calling.contains(pool.name()) || pool.spec().isDryRun()) {
                continue;
            }
            try {
                int running = backend.get().observe(pool.target()).running();
                if (running != pool.instances() && !calling.contains(pool.name())) {
                    LOG.infof("pool %s runs %d instances, not the %d recorded; going by what runs", pool.name(),
                            running, pool.instances());
                    pools.setInstances(pool.name(), running).await().atMost(AWAIT);
                }
            } catch (RuntimeException e) {
                LOG.warnf("cannot observe pool %s (%s)", pool.name(), e.getMessage());
            }
        }
    }

    /** A new leader trusts nothing it remembers: the first round re-reads the backends. */
    void forgetLeadership() {
        lastSync = null;
        memory.clear();
    }

    private void evaluatePoked() throws Exception {
        List<String> names = new ArrayList<>(poked);
        poked.removeAll(names);
        for (String name : names) {
            Optional<PoolRecord> pool = pools.find(name).await().atMost(AWAIT);
            if (pool.isEmpty()) {
                continue;
            }
            Instant now = clock.instant();
            PoolInputs in = null;
            try {
                in = reads.one(name, pool.get().queue());
            } catch (Exception e) {
                LOG.warnf("cannot read the inputs of pool %s (%s)", name, e.getMessage());
            }
            Duration lookBack = longestLookBack(List.of(pool.get()));
            List<SampleStore.Row> toStore = new ArrayList<>();
            evaluate(pool.get(), in, changesByPool(now.minus(lookBack), name).getOrDefault(name, List.of()), now,
                    toStore);
            samples.add(toStore).await().atMost(AWAIT);
        }
    }

    private void evaluate(PoolRecord pool, PoolInputs in, List<Decision> changes, Instant now,
            List<SampleStore.Row> toStore) {
        if (calling.contains(pool.name())) {
            pokedWhileCalling.add(pool.name()); // the previous decision is still being carried out
            return;
        }
        if (pool.manualInstances() != null) {
            carryOutManual(pool, now);
            return;
        }
        PoolMemory m = memory.computeIfAbsent(pool.name(), name -> new PoolMemory(config.evaluationInterval()));
        PoolPolicy policy = policy(pool, m);
        if (policy == null) {
            return;
        }
        if (in != null) {
            record(pool.name(), m, in, now, toStore);
        }
        PoolState state = state(pool.instances(), in).withForecast(Forecasts.current(m, policy, pool.name(), samples, config, now));
        List<Decision> recent = new ArrayList<>(changes);
        recent.addAll(m.quietDecisions);
        Decision decision = PolicyEvaluator.evaluate(policy, state, m.history, recent, now);
        m.remember(decision, policy.decisionsLookBack());
        m.forgetBefore(now.minus(longestHold(policy)));
        if (!decision.changes()) {
            return;
        }
        if (decision.kind() == Decision.Kind.REPLACE_ALL && changes.stream().anyMatch(d -> d.kind()
                == Decision.Kind.REPLACE_ALL && d.at().isAfter(now.minus(REPLACE_ALL_INTERVAL)))) {
            return; // replaced recently: let the new instances register before judging them
        }
        act(pool, decision, changes);
    }

    /**
     * The pool as the policy sees it. More runners may be registered than the scaler asked for
     * (started by hand, a dry-run pool, stopped ones not yet gone): the health counts are capped at
     * the recorded size, unhealthy first, so "every instance unhealthy" still means what it says.
     */
    static PoolState state(int instances, PoolInputs in) {
        if (in == null) {
            return PoolState.of(instances, 0, 0);
        }
        int unhealthy = Math.min(in.unhealthy(), instances);
        int healthy = Math.min(in.healthy(), instances - unhealthy);
        if (in.healthy() > 0 && healthy == 0 && instances > 0) {
            healthy = 1; // a healthy runner exists: never report the pool as all unhealthy
            unhealthy = instances - 1;
        }
        return PoolState.of(instances, healthy, unhealthy);
    }

    private void act(PoolRecord pool, Decision decision, List<Decision> changes) {
        String kind = pool.spec().backend().kind();
        String call = kind + (decision.kind() == Decision.Kind.REPLACE_ALL ? ".replaceAll()"
                : ".scaleTo(" + decision.to() + ")");
        if (decision.dryRun()) {
            // Dry runs never change the size, so the same decision comes every round: record it once per look-back.
            boolean repeated = changes.stream().anyMatch(d -> d.dryRun() && d.kind() == decision.kind()
                    && d.from() == decision.from() && d.to() == decision.to());
            if (repeated) {
                return;
            }
            events.record(decision, call, "dry-run").await().atMost(AWAIT);
            metrics.decision(pool.name(), decision.kind().toString(), "dry-run");
            return;
        }
        ScalingEvent event = events.record(decision, call, "pending").await().atMost(AWAIT);
        pools.setInstances(pool.name(), decision.to()).await().atMost(AWAIT);
        callBackend(pool, event, decision.kind() == Decision.Kind.REPLACE_ALL, decision.to());
    }

    /** A manual scale the API recorded: the leader carries it out like any decision. */
    private void carryOutManual(PoolRecord pool, Instant now) {
        long eventId = pool.manualEvent();
        int to = pool.manualInstances();
        pools.clearManual(pool.name(), eventId).await().atMost(AWAIT);
        if (pool.spec().isDryRun()) {
            events.finish(eventId, "dry-run", "the pool is in dry-run mode", now).await().atMost(AWAIT);
            return;
        }
        pools.setInstances(pool.name(), to).await().atMost(AWAIT);
        callBackend(pool, new ScalingEvent(eventId, pool.name(), now, pool.instances(), to, "manual", "manual", to,
                Map.of(), "manual", false, false, false, null, "pending", null, null), false, to);
    }

    private void callBackend(PoolRecord pool, ScalingEvent event, boolean replaceAll, int to) {
        Optional<ScalingBackend> backend = backends.find(pool.spec().backend().kind());
        if (backend.isEmpty()) {
            events.finish(event.id(), "failed", "this replica has no backend '" + pool.spec().backend().kind() + "'",
                    clock.instant()).await().atMost(AWAIT);
            return;
        }
        calling.add(pool.name());
        calls.submit(() -> {
            try {
                BackendStatus status = replaceAll ? backend.get().replaceAll(pool.target())
                        : backend.get().scaleTo(pool.target(), to);
                events.finish(event.id(), "ok", describe(status), clock.instant()).await().atMost(AWAIT);
                metrics.decision(pool.name(), event.kind(), "ok");
            } catch (Exception e) {
                LOG.warnf("backend call for pool %s failed: %s", pool.name(), e.getMessage());
                safely("recording the failure", () -> {
                    events.finish(event.id(), "failed", String.valueOf(e.getMessage()), clock.instant())
                            .await().atMost(AWAIT);
                    BackendStatus actual = backend.get().observe(pool.target());
                    pools.setInstances(pool.name(), actual.running()).await().atMost(AWAIT);
                });
                metrics.decision(pool.name(), event.kind(), "failed");
            } finally {
                calling.remove(pool.name());
                if (pokedWhileCalling.remove(pool.name())) {
                    poke(List.of(pool.name())); // what arrived meanwhile is decided now, not at the next round
                }
            }
        });
    }

    private void record(String pool, PoolMemory m, PoolInputs in, Instant now, List<SampleStore.Row> toStore) {
        Map<String, Double> values = new HashMap<>();
        values.put(MetricNames.QUEUE_DEPTH, in.waiting());
        values.put(MetricNames.IN_FLIGHT, in.inFlight());
        values.put(Forecasts.DEMAND, in.waiting() + in.inFlight());
        if (Double.isFinite(in.cpu())) {
            values.put(MetricNames.CPU, in.cpu());
        }
        if (Double.isFinite(in.utilisation())) {
            values.put(MetricNames.UTILISATION, in.utilisation());
        }
        values.forEach((metric, value) -> {
            m.history.record(metric, now, value);
            Instant last = m.lastStored.get(metric);
            if (last == null || !now.isBefore(last.plus(config.sampleInterval()))) {
                m.lastStored.put(metric, now);
                toStore.add(new SampleStore.Row(pool, metric, now, value));
            }
        });
    }

    /** The pool's policy, parsed once per change of its spec. */
    private PoolPolicy policy(PoolRecord pool, PoolMemory m) {
        if (m.policy == null || !pool.updatedAt().equals(m.policyOf)) {
            try {
                m.policy = pool.spec().toPolicy(pool.name());
                m.policyOf = pool.updatedAt();
            } catch (InvalidPolicyException e) {
                LOG.errorf("pool %s has an invalid stored policy (%s); not evaluating it", pool.name(), e.getMessage());
                return null;
            }
        }
        return m.policy;
    }

    private Map<String, List<Decision>> changesByPool(Instant since, String pool) {
        return events.changesSince(since, pool).await().atMost(AWAIT).stream().map(Decisions::fromEvent)
                .collect(Collectors.groupingBy(Decision::pool));
    }

    private Duration longestLookBack(List<PoolRecord> all) {
        Duration longest = REPLACE_ALL_INTERVAL;
        for (PoolRecord pool : all) {
            PoolMemory m = memory.get(pool.name());
            if (m != null && m.policy != null && m.policy.decisionsLookBack().compareTo(longest) > 0) {
                longest = m.policy.decisionsLookBack();
            }
        }
        return longest.compareTo(PoolPolicy.SCALE_IN_COOLDOWN_DEFAULT) < 0 ? PoolPolicy.SCALE_IN_COOLDOWN_DEFAULT
                : longest;
    }

    private Duration longestHold(PoolPolicy policy) {
        Duration hold = policy.rules().stream().map(ThresholdRule::holdFor).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        return hold.plus(config.evaluationInterval().multipliedBy(4));
    }

    private static String describe(BackendStatus status) {
        String figures = status.desired() + " desired, " + status.running() + " running, " + status.ready() + " ready";
        return status.detail() == null || status.detail().isBlank() ? figures : figures + "; " + status.detail();
    }

    void stop(@Observes ShutdownEvent event) {
        evaluator.shutdownNow();
        calls.shutdown();
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void safely(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.errorf(e, "%s failed", what);
        }
    }
}
