package dev.fleet.session.runner;

import java.security.MessageDigest;
import java.util.UUID;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Who acts on a runner's behalf: an admin may act for any runner; anyone else must show that
 * runner's own token ({@code X-Runner-Token}). {@code tokenDigest} is null for an admin, and SQL
 * checks it with {@code ($n::bytea IS NULL OR token_hash = $n)} in the statement that does the work.
 */
public record RunnerCaller(byte[] tokenDigest) {

    private static final String TOKEN = "SELECT token_hash FROM session.runners WHERE id = $1";
    private static final String TOKEN_OF_OPERATION = "SELECT o.runner_id, r.token_hash FROM session.operations o"
            + " LEFT JOIN session.runners r ON r.id = o.runner_id WHERE o.id = $1";

    public static RunnerCaller of(SecurityIdentity identity, String token) {
        if (identity.hasRole(FleetRole.ADMIN)) {
            return new RunnerCaller(null);
        }
        if (token == null || token.isBlank()) {
            throw wrongToken("Send the token the runner got at registration as " + RunnerTokens.HEADER + ".");
        }
        return new RunnerCaller(RunnerTokens.digest(token));
    }

    /**
     * Succeeds when this caller may act for {@code runner} (an admin always may); otherwise fails
     * with 403, {@code subject} saying what the runner was asked about.
     */
    public Uni<Void> requireRunner(SqlClient client, UUID runner, String subject) {
        if (tokenDigest == null) {
            return Uni.createFrom().voidItem();
        }
        if (runner == null) {
            return Uni.createFrom().failure(wrongToken(subject + " is not assigned to a runner."));
        }
        return client.preparedQuery(TOKEN).execute(Tuple.of(runner)).map(rows -> {
            requireToken(rows.size() == 0 ? null : rows.iterator().next().getBuffer("token_hash"), runner, subject);
            return null;
        });
    }

    /**
     * As {@link #requireRunner}, for the runner an operation is assigned to, read in the same
     * statement (so it can share a round trip with the operation's lock, sent before it). An
     * operation that does not exist passes: whoever asked learns that from the lock.
     */
    public Uni<Void> requireOperationRunner(SqlClient client, UUID operation) {
        if (tokenDigest == null) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery(TOKEN_OF_OPERATION).execute(Tuple.of(operation)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            UUID runner = row.getUUID("runner_id");
            if (runner == null) {
                throw wrongToken("Operation " + operation + " is not assigned to a runner.");
            }
            requireToken(row.getBuffer("token_hash"), runner, "Operation " + operation);
            return null;
        });
    }

    /** 403 unless {@code hash} (null: no such runner) is the digest of this caller's token. */
    private void requireToken(Buffer hash, UUID runner, String subject) {
        if (hash == null || !MessageDigest.isEqual(hash.getBytes(), tokenDigest)) {
            throw wrongToken(subject + " belongs to runner " + runner + "; this token is not that runner's.");
        }
    }

    public static ProblemException wrongToken(String detail) {
        return new ProblemException(403, "runner-token", "Forbidden", detail);
    }
}
