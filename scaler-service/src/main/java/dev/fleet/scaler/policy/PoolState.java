package dev.fleet.scaler.policy;

/**
 * What the pool is now: its instances, how many of them are healthy and unhealthy (the rest are
 * starting or unknown), and the forecast learned from its stored samples ({@code null} when none
 * has been learned yet).
 */
public record PoolState(int instances, int healthy, int unhealthy, SeasonalForecast forecast) {

    public PoolState {
        if (instances < 0 || healthy < 0 || unhealthy < 0) {
            throw new IllegalArgumentException("instances, healthy, unhealthy: must be 0 or more, were "
                    + instances + ", " + healthy + ", " + unhealthy);
        }
        if (healthy + unhealthy > instances) {
            throw new IllegalArgumentException("healthy + unhealthy: " + healthy + " + " + unhealthy
                    + " is more than the " + instances + " instances");
        }
    }

    /** {@code instances}, all healthy, no forecast. */
    public static PoolState of(int instances) {
        return new PoolState(instances, instances, 0, null);
    }

    public static PoolState of(int instances, int healthy, int unhealthy) {
        return new PoolState(instances, healthy, unhealthy, null);
    }

    public PoolState withForecast(SeasonalForecast forecast) {
        return new PoolState(instances, healthy, unhealthy, forecast);
    }

    /** Every instance is unhealthy, and there is at least one. */
    public boolean allUnhealthy() {
        return instances > 0 && unhealthy == instances;
    }
}
