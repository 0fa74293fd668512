package dev.fleet.session.session;

import java.time.Instant;
import java.util.UUID;

/** {@code GET /sessions} filters (all optional) and its keyset cursor (the last row of the previous page). */
public record SessionFilter(String pool, SessionState state, UUID runner, String owner, Instant beforeCreatedAt,
        UUID beforeId, int limit) {
}
