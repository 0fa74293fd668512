package dev.fleet.queue.job;

/**
 * Job priority, {@code P0} most urgent. The class of a priority sets its default TTL:
 * P0-P1 urgent, P2-P4 normal, P5-P6 background.
 */
public enum Priority {
    P0, P1, P2, P3, P4, P5, P6;

    public static Priority of(int level) {
        return values()[level];
    }

    public int level() {
        return ordinal();
    }
}
