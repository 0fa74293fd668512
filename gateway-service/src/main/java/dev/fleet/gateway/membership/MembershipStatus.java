package dev.fleet.gateway.membership;

import java.time.Instant;

/**
 * How the session-service membership is doing, for the admin API.
 *
 * @param enabled     whether {@code fleet.gateway.session-url} is set
 * @param sessionUrl  where runners are read from (null when disabled)
 * @param reachable   whether the last read succeeded
 * @param lastReadAt  the last successful read (null before the first)
 * @param lastErrorAt the last failed read (null if none yet)
 * @param lastError   what went wrong then
 */
public record MembershipStatus(boolean enabled, String sessionUrl, boolean reachable, Instant lastReadAt,
        Instant lastErrorAt, String lastError) {

    static MembershipStatus disabled() {
        return new MembershipStatus(false, null, false, null, null, null);
    }

    static MembershipStatus notReadYet(String sessionUrl) {
        return new MembershipStatus(true, sessionUrl, false, null, null, null);
    }

    MembershipStatus succeeded(Instant at) {
        return new MembershipStatus(enabled, sessionUrl, true, at, lastErrorAt, lastError);
    }

    MembershipStatus failed(Instant at, String error) {
        return new MembershipStatus(enabled, sessionUrl, false, lastReadAt, at, error);
    }
}
