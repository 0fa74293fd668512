package dev.fleet.platform.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

/**
 * Resolves a presented bearer token to its role in constant time: every configured token is
 * compared (as a SHA-256 digest, so lengths leak nothing) whatever matches first. Only digests
 * are kept in memory; tokens are never logged.
 */
@Singleton
public class BearerTokens {

    private record Entry(byte[] digest, String role) {
    }

    private final List<Entry> entries = new ArrayList<>();

    BearerTokens(AuthConfig config) {
        config.adminTokens().ifPresent(tokens -> addAll(tokens, FleetRole.ADMIN));
        config.runnerTokens().ifPresent(tokens -> addAll(tokens, FleetRole.RUNNER));
        config.clientTokens().ifPresent(tokens -> addAll(tokens, FleetRole.CLIENT));
    }

    /** The role the token grants, or empty when it is not a configured token. */
    public Optional<String> roleOf(String token) {
        byte[] presented = digest(token);
        String role = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), presented) && role == null) {
                role = entry.role();
            }
        }
        return Optional.ofNullable(role);
    }

    private void addAll(List<String> tokens, String role) {
        for (String token : tokens) {
            if (!token.isBlank()) {
                entries.add(new Entry(digest(token.strip()), role));
            }
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
