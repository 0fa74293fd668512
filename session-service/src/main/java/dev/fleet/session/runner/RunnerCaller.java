package dev.fleet.session.runner;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who acts on a runner's behalf: an admin may act for any runner; anyone else must show that
 * runner's own token ({@code X-Runner-Token}). {@code tokenDigest} is null for an admin, and SQL
 * checks it with {@code ($n::bytea IS NULL OR token_hash = $n)} in the statement that does the work.
 */
public record RunnerCaller(byte[] tokenDigest) {

    public static RunnerCaller of(SecurityIdentity identity, String token) {
        if (identity.hasRole(FleetRole.ADMIN)) {
            return new RunnerCaller(null);
        }
        if (token == null || token.isBlank()) {
            throw wrongToken("Send the token the runner got at registration as " + RunnerTokens.HEADER + ".");
        }
        return new RunnerCaller(RunnerTokens.digest(token));
    }

    public static ProblemException wrongToken(String detail) {
        return new ProblemException(403, "runner-token", "Forbidden", detail);
    }
}
