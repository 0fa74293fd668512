package dev.fleet.scaler.pool;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.scaler.backend.ScalingBackends;
import dev.fleet.scaler.event.EventStore;
import dev.fleet.scaler.event.ScalingEvent;
import dev.fleet.scaler.policy.Decision;
import dev.fleet.scaler.policy.InvalidPolicyException;
import dev.fleet.scaler.policy.PoolPolicy;
import io.smallrye.mutiny.Uni;

/** Creating, changing, reading and deleting pools, and manual scaling. */
@Singleton
public class PoolService {

    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";

    private final PoolStore store;
    private final EventStore events;
    private final ScalingBackends backends;
    private final Clock clock;

    PoolService(PoolStore store, EventStore events, ScalingBackends backends, Clock clock) {
        this.store = store;
        this.events = events;
        this.backends = backends;
        this.clock = clock;
    }

    /** Checks a spec completely (policy and backend settings), naming the field at fault. */
    public PoolPolicy validate(String name, PoolSpec spec) {
        if (name == null || !name.matches(NAME)) {
            throw new InvalidPolicyException("pool", "must be 1–100 letters, digits, '.', '_' or '-'");
        }
        PoolPolicy policy = spec.toPolicy(name);
        backends.validate(spec.backend().kind(), spec.backend().settings());
        return policy;
    }

    public Uni<PoolStore.Saved> put(String name, PoolSpec spec) {
        try {
            validate(name, spec);
        } catch (InvalidPolicyException e) {
            return Uni.createFrom().failure(invalid(e));
        }
        return store.find(name).chain(existing -> {
            if (existing.isPresent() && "config".equals(existing.get().source())) {
                throw fromConfig(name);
            }
            return store.save(name, spec, "api");
        });
    }

    public Uni<List<PoolView>> list() {
        return store.all().map(pools -> pools.stream().map(PoolView::of).toList());
    }

    public Uni<PoolView> find(String name) {
        return require(name).map(PoolView::of);
    }

    public Uni<Void> delete(String name) {
        return require(name).chain(pool -> {
            if ("config".equals(pool.source())) {
                throw fromConfig(name);
            }
            return store.deleteIdle(name).invoke(deleted -> {
                if (!deleted) {
                    throw ProblemException.conflict("pool-busy", "Pool " + name + " still has " + pool.instances()
                            + " instances; scale it to 0 first (POST /pools/" + name + "/scale {\"instances\": 0})"
                            + " or lower its minInstances.").with("instances", pool.instances());
                }
            }).replaceWithVoid();
        });
    }

    /**
     * Records a manual scale for the leader to carry out (202): an event like any decision, so
     * cooldowns count it. The size must be within the pool's limits: change the limits for more.
     */
    public Uni<ScalingEvent> scale(String name, ScaleRequest request) {
        return require(name).chain(pool -> {
            PoolPolicy policy = pool.spec().toPolicy(name);
            int to = request.instances();
            if (to < policy.minInstances() || to > policy.maxInstances()) {
                throw ProblemException.invalidField("instances", "Pool " + name + " runs between "
                        + policy.minInstances() + " and " + policy.maxInstances() + " instances; " + to
                        + " is outside. Change minInstances/maxInstances with PUT /pools/" + name + " for more.");
            }
            Decision.Kind kind = to > pool.instances() ? Decision.Kind.SCALE_OUT
                    : to < pool.instances() ? Decision.Kind.SCALE_IN : Decision.Kind.NONE;
            String reason = "manual" + (request.reason() == null || request.reason().isBlank() ? ""
                    : ": " + request.reason());
            Decision decision = new Decision(name, clock.instant(), pool.instances(), to, kind, "manual", to, Map.of(),
                    reason, false, false, pool.spec().isDryRun());
            String call = pool.spec().backend().kind() + ".scaleTo(" + to + ")";
            return events.record(decision, call, "pending")
                    .call(event -> store.requestManual(name, to, event.id()));
        });
    }

    private Uni<PoolRecord> require(String name) {
        return store.find(name).map(found -> found.orElseThrow(() -> ProblemException.notFound("pool",
                "No pool named '" + name + "'; GET /pools lists them.")));
    }

    static ProblemException invalid(InvalidPolicyException e) {
        return ProblemException.invalidField(e.field(), e.getMessage());
    }

    private static ProblemException fromConfig(String name) {
        return ProblemException.conflict("pool-from-config", "Pool " + name + " is defined in configuration"
                + " (fleet.scaler.pools." + name + ".*); change it there.");
    }
}
