package dev.fleet.scaler.policy;

/**
 * The metric names the default rules and the queue formula read. Any other name works in a
 * threshold rule or in target tracking; these are only the ones the policy itself knows.
 */
public final class MetricNames {

    /** Percent of the pool's CPU in use, 0–100. */
    public static final String CPU = "cpu";
    /** Jobs waiting in the pool's queue (available, not yet claimed). */
    public static final String QUEUE_DEPTH = "queueDepth";
    /** Jobs the pool's runners are working on. */
    public static final String IN_FLIGHT = "inFlight";
    /** Percent of the pool's job slots busy, 0–100. */
    public static final String UTILISATION = "utilisation";

    private MetricNames() {
    }
}
