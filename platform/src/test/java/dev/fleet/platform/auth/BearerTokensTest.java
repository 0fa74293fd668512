package dev.fleet.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BearerTokensTest {

    private final BearerTokens tokens = new BearerTokens(new AuthConfig() {
        @Override
        public Optional<List<String>> adminTokens() {
            return Optional.of(List.of("old-admin", " new-admin "));
        }

        @Override
        public Optional<List<String>> runnerTokens() {
            return Optional.of(List.of("runner-1", ""));
        }

        @Override
        public Optional<List<String>> clientTokens() {
            return Optional.empty();
        }
    });

    @Test
    void everyConfiguredTokenGrantsItsRoleSoTokensCanBeRotated() {
        assertThat(tokens.roleOf("old-admin")).contains(FleetRole.ADMIN);
        assertThat(tokens.roleOf("new-admin")).contains(FleetRole.ADMIN);
        assertThat(tokens.roleOf("runner-1")).contains(FleetRole.RUNNER);
    }

    @Test
    void unknownEmptyAndPrefixTokensGrantNothing() {
        assertThat(tokens.roleOf("runner-")).isEmpty();
        assertThat(tokens.roleOf("")).isEmpty();
        assertThat(tokens.roleOf("RUNNER-1")).isEmpty();
    }
}
