package dev.fleet.session.session;

import java.util.EnumSet;
import java.util.Set;

/**
 * A session's lifecycle, drawn in docs/session-states.md: {@code pending → starting → running ⇄
 * paused → stopping → stopped}, plus {@code error} and {@code expired}. The last three are final.
 */
public enum SessionState {
    pending, starting, running, paused, stopping, stopped, error, expired;

    /** States that hold a runner slot and resources. */
    public static final Set<SessionState> PLACED = EnumSet.of(starting, running, paused, stopping);

    public boolean isFinal() {
        return this == stopped || this == error || this == expired;
    }

    /** SQL list of the placed states, for IN clauses. */
    static final String PLACED_SQL = "('starting', 'running', 'paused', 'stopping')";
}
