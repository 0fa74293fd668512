package dev.fleet.scaler.input;

/**
 * What the scaler read about one pool: its queue ({@code waiting} = available jobs,
 * {@code inFlight} = running jobs) and its runners ({@code healthy} counts degraded ones too:
 * they serve; {@code cpu} and {@code utilisation} are averages over the live runners, in percent,
 * NaN when there are none).
 */
public record PoolInputs(double waiting, double inFlight, int runners, int healthy, int unhealthy, double cpu,
        double utilisation) {

    public static final PoolInputs NONE = new PoolInputs(0, 0, 0, 0, 0, Double.NaN, Double.NaN);

    PoolInputs withQueue(double waiting, double inFlight) {
        return new PoolInputs(waiting, inFlight, runners, healthy, unhealthy, cpu, utilisation);
    }
}
