package dev.fleet.client;

import java.time.Duration;

/**
 * How many jobs a {@link ClaimAhead} buffer may hold beyond the slots. Fixed, or adaptive: about
 * {@code horizon} of this process's own work at the rate its jobs finish, never fewer than
 * {@code floor} nor more than {@code ceiling}. Short jobs then get a buffer large enough that
 * claims and outcomes stay large requests, and long jobs keep a small one, so what one process
 * holds while another idles is bounded in time rather than in count.
 */
public record ClaimAheadSizing(int floor, int ceiling, Duration horizon) {

    /** Default ceiling of an adaptive buffer. */
    public static final int CEILING_DEFAULT = 500;

    public ClaimAheadSizing {
        if (floor < 0 || ceiling < floor || horizon.isNegative()) {
            throw new IllegalArgumentException("0 ≤ floor ≤ ceiling and horizon ≥ 0");
        }
    }

    /** Always {@code ahead} beyond the slots. */
    public static ClaimAheadSizing fixed(int ahead) {
        return new ClaimAheadSizing(ahead, ahead, Duration.ZERO);
    }

    /** Adaptive, never below the slots (one more round of work), up to {@link #CEILING_DEFAULT}. */
    public static ClaimAheadSizing adaptive(int slots, Duration horizon) {
        return new ClaimAheadSizing(slots, Math.max(slots, CEILING_DEFAULT), horizon);
    }

    public boolean adapts() {
        return ceiling > floor;
    }

    /** The buffer for a process whose jobs finish at {@code jobsPerSecond}. */
    public int aheadFor(double jobsPerSecond) {
        double wanted = Math.ceil(jobsPerSecond * horizon.toNanos() / 1e9);
        return (int) Math.max(floor, Math.min(ceiling, wanted));
    }
}
