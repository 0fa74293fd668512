package dev.fleet.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job as a producer waiting for it sees it: {@code state} {@code succeeded}, {@code dead} or
 * {@code cancelled} once it finished ({@link #finished()}), else the live state it had when the
 * wait ended. {@code result} is what the runner completed it with; {@code errors} the attempts'
 * errors; {@code deadReason} why it died.
 */
public record JobOutcome(long id, String queue, String kind, String state, JsonNode result, JsonNode errors,
        String deadReason) {

    /** True for succeeded, dead and cancelled: nothing more will happen to the job. */
    public boolean finished() {
        return "succeeded".equals(state) || "dead".equals(state) || "cancelled".equals(state);
    }

    public boolean succeeded() {
        return "succeeded".equals(state);
    }
}
