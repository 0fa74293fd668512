package dev.fleet.gateway.pool;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A pool's pick table, rebuilt by {@link Pool#refresh} and read without locks by every request:
 * the instances that take part and their effective weights. In panic (too few usable instances)
 * it holds every instance that is not draining.
 */
public final class PoolSnapshot {

    static final PoolSnapshot EMPTY = new PoolSnapshot(new Instance[0], new double[0], false, null, 0);

    private final Instance[] candidates;
    private final double[] weights;
    private final double[] cumulative;
    private final double totalWeight;
    private final boolean panic;
    private final Map<String, Instance> byId;
    private final HashRing ring;
    private final double fastestLatencyMs;

    PoolSnapshot(Instance[] candidates, double[] weights, boolean panic, HashRing previousRing, double fastestLatencyMs) {
        this.candidates = candidates;
        this.fastestLatencyMs = fastestLatencyMs;
        this.weights = weights;
        this.panic = panic;
        this.cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cumulative[i] = sum;
        }
        this.totalWeight = sum;
        this.byId = new HashMap<>();
        for (Instance instance : candidates) {
            byId.put(instance.id(), instance);
        }
        this.ring = previousRing != null && previousRing.sameMembers(candidates) ? previousRing : new HashRing(candidates);
    }

    public int size() {
        return candidates.length;
    }

    public Instance get(int index) {
        return candidates[index];
    }

    public double weight(int index) {
        return weights[index];
    }

    public boolean panic() {
        return panic;
    }

    /** The candidate with this id, or null. */
    public Instance byId(String id) {
        return byId.get(id);
    }

    public HashRing ring() {
        return ring;
    }

    /** The lowest pick latency among the candidates that have one when the table was built (0: none has). */
    public double fastestLatencyMs() {
        return fastestLatencyMs;
    }

    /**
     * A weighted sample among every candidate but the one at {@code excluded}: {@code fraction} (0 ≤ f < 1)
     * of the remaining weight, skipping over the excluded one's span of the cumulative weights.
     */
    public int indexAtExcluding(double fraction, int excluded) {
        double excludedWeight = weights[excluded];
        double position = fraction * (totalWeight - excludedWeight);
        if (position >= cumulative[excluded] - excludedWeight) {
            position += excludedWeight;
        }
        int found = Arrays.binarySearch(cumulative, position);
        int index = found >= 0 ? found + 1 : -found - 1;
        index = Math.min(index, candidates.length - 1);
        // rounding at a span's edge can land on the excluded one itself
        return index == excluded ? (excluded + 1) % candidates.length : index;
    }

    /** The index of the candidate at {@code fraction} (0 ≤ f < 1) of the total weight: a weighted sample. */
    public int indexAt(double fraction) {
        int found = Arrays.binarySearch(cumulative, fraction * totalWeight);
        int index = found >= 0 ? found + 1 : -found - 1;
        return Math.min(index, candidates.length - 1);
    }
}
