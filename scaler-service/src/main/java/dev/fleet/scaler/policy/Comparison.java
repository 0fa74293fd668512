package dev.fleet.scaler.policy;

import java.util.Locale;

/** How a threshold rule compares a metric with its threshold; both are strict. */
public enum Comparison {
    ABOVE(">"), BELOW("<");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public boolean holds(double value, double threshold) {
        return this == ABOVE ? value > threshold : value < threshold;
    }

    public String symbol() {
        return symbol;
    }

    /** The wire name: {@code above}, {@code below}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
