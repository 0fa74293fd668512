package dev.fleet.scaler.policy;

/** The one rounding rule every formula shares: whole instances, rounded up. */
final class Capacity {

    /** Float noise must not cost an instance: 4 × 70 / 70 may be 4.0000000001, which is 4. */
    private static final double EPSILON = 1e-9;

    private Capacity() {
    }

    /** {@code ceil(demand / perInstance)}, at least 0. */
    static int instancesFor(double demand, double perInstance) {
        double n = Math.ceil(demand / perInstance - EPSILON);
        return (int) Math.max(0, Math.min(n, Integer.MAX_VALUE));
    }
}
