package dev.fleet.telemetry.sample;

/** How the measured use of a feature ended; the lower-case names are the API's and the table's values. */
public enum SampleOutcome {
    ok, error;

    /** The outcome named {@code text}, or null when it names none. */
    static SampleOutcome parse(String text) {
        for (SampleOutcome outcome : values()) {
            if (outcome.name().equals(text)) {
                return outcome;
            }
        }
        return null;
    }
}
