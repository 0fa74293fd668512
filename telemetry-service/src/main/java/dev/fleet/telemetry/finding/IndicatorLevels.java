package dev.fleet.telemetry.finding;

/**
 * The warning / critical / emergency levels of one indicator, checked once at start. Most indicators
 * get worse as they rise ({@code value >= level}); a healthy share gets worse as it falls (below
 * warning, below critical, at or below emergency, so an emergency level of 0 means "none healthy").
 *
 * @param key the configuration key, named when the levels are out of order
 */
record IndicatorLevels(String key, double warning, double critical, double emergency, boolean lowerIsWorse) {

    IndicatorLevels {
        boolean ordered = lowerIsWorse ? warning >= critical && critical >= emergency
                : warning <= critical && critical <= emergency;
        if (Double.isNaN(warning) || Double.isNaN(critical) || Double.isNaN(emergency) || !ordered) {
            throw new IllegalArgumentException("fleet.telemetry.findings." + key + ": warning, critical and emergency"
                    + " must " + (lowerIsWorse ? "descend" : "ascend") + ", not " + warning + " / " + critical + " / "
                    + emergency);
        }
    }

    static IndicatorLevels rising(String key, double warning, double critical, double emergency) {
        return new IndicatorLevels(key, warning, critical, emergency, false);
    }

    static IndicatorLevels falling(String key, double warning, double critical, double emergency) {
        return new IndicatorLevels(key, warning, critical, emergency, true);
    }

    /** The severity {@code value} reaches, or null when it is fine (NaN, an unknown figure, is fine). */
    Level level(double value) {
        if (Double.isNaN(value)) {
            return null;
        }
        if (lowerIsWorse) {
            if (value <= emergency) {
                return new Level("emergency", emergency);
            }
            if (value < critical) {
                return new Level("critical", critical);
            }
            return value < warning ? new Level("warning", warning) : null;
        }
        if (value >= emergency) {
            return new Level("emergency", emergency);
        }
        if (value >= critical) {
            return new Level("critical", critical);
        }
        return value >= warning ? new Level("warning", warning) : null;
    }

    /** Of two readings, the one further from trouble (what an indicator held at least). */
    double leastBad(double a, double b) {
        return lowerIsWorse ? Math.max(a, b) : Math.min(a, b);
    }

    record Level(String severity, double threshold) {
    }
}
