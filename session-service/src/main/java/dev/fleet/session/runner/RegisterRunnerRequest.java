package dev.fleet.session.runner;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /runners}. {@code host} groups runners that share a machine (and so its displays,
 * ports and volumes); it defaults to the endpoint's host.
 */
public record RegisterRunnerRequest(
        @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._-]+", message = "letters, digits, '.', '_' and '-' only") String pool,
        @NotBlank @Size(max = 2000) String endpoint,
        @Size(max = 255) String host,
        @NotNull @Positive Integer maxSessions,
        @Positive Double weight,
        @Size(max = 64) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 500) String> labels,
        @Size(max = 100) String version) {
}
