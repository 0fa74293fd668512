package dev.fleet.scaler.capacity;

/**
 * The capacity planner's answer: instances for {@code concurrentUsers × peakFactor} users
 * (plus headroom), and what they need in total, with the per-instance model used.
 */
public record CapacityPlan(int instances, double peakUsers, double cpuCores, double memoryGib, double diskGib,
        Model model) {

    /** The per-instance requirements the plan used. */
    public record Model(double usersPerInstance, double cpuPerInstance, double memoryMibPerInstance,
            double diskGibPerInstance, double headroom) {
    }

    /** Instances = ceil(users × peak factor × (1 + headroom) / users per instance); totals follow. */
    public static CapacityPlan of(double concurrentUsers, double peakFactor, Model model) {
        double peakUsers = concurrentUsers * peakFactor;
        int instances = (int) Math.ceil(peakUsers * (1 + model.headroom()) / model.usersPerInstance() - 1e-9);
        return new CapacityPlan(instances, peakUsers, round(instances * model.cpuPerInstance()),
                round(instances * model.memoryMibPerInstance() / 1024), round(instances * model.diskGibPerInstance()),
                model);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
