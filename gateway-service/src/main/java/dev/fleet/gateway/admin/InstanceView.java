package dev.fleet.gateway.admin;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.ReportedLoad;

/** An instance as the admin API shows it. Times in milliseconds; weights as the balancers see them. */
public record InstanceView(
        String id,
        String address,
        String source,
        String state,
        String healthReason,
        boolean draining,
        boolean drainedByAdmin,
        double effectiveWeight,
        double baseWeight,
        Double weightOverride,
        boolean slowStarting,
        int inFlight,
        double latencyMs,
        int consecutiveFailures,
        boolean ejected,
        long ejectedForMs,
        String ejectionReason,
        long ejections,
        long requests,
        long failures,
        ReportedLoad reported) {

    static InstanceView of(Instance instance, long nowNanos, long slowStartNanos) {
        return new InstanceView(instance.id(), instance.address().toString(), instance.source(), instance.state(),
                instance.healthReason().isEmpty() ? null : instance.healthReason(), instance.draining(),
                instance.drainingByAdmin(), instance.usable() ? instance.effectiveWeight(nowNanos, slowStartNanos) : 0,
                instance.baseWeight(), instance.weightOverride(), instance.inSlowStart(nowNanos, slowStartNanos),
                instance.inFlight(), instance.latencyEwmaMs(), instance.consecutiveFailures(), instance.ejected(),
                instance.ejected() ? Math.max(0, (instance.ejectedUntilNanos() - nowNanos) / 1_000_000) : 0,
                instance.ejectionReason().isEmpty() ? null : instance.ejectionReason(), instance.ejectionsTotal(),
                instance.requestsTotal(), instance.failuresTotal(), instance.reported());
    }
}
