package dev.fleet.session.runner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Per-runner tokens: a runner proves it is itself with the token it got at registration. Only the
 * SHA-256 digest is stored, so a database dump holds no usable token; the digest is compared in
 * the same statement that does the work.
 */
public final class RunnerTokens {

    /** The header a runner sends its token in. */
    public static final String HEADER = "X-Runner-Token";

    private static final SecureRandom RANDOM = new SecureRandom();

    private RunnerTokens() {
    }

    static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
