package dev.fleet.platform.auth;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/**
 * Bearer tokens per role ({@code fleet.auth.*}, env {@code FLEET_AUTH_ADMIN_TOKENS} and so on),
 * each a comma-separated list so tokens can be rotated by running old and new side by side.
 * With no token configured for a role, nobody holds that role.
 */
@ConfigMapping(prefix = "fleet.auth")
public interface AuthConfig {

    /** Tokens that act as {@code admin}. */
    Optional<List<String>> adminTokens();

    /** Tokens that act as {@code runner}. */
    Optional<List<String>> runnerTokens();

    /** Tokens that act as {@code client}. */
    Optional<List<String>> clientTokens();
}
