package dev.fleet.session.session;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /sessions}. {@code labels} (default: none) must all be present on the runner;
 * {@code waitForRunner=true} keeps the session pending until a runner frees up instead of answering 429/503. Idle thresholds default to {@code fleet.session.idle.*}.
 */
public record CreateSessionRequest(
        @NotBlank @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._-]+", message = "letters, digits, '.', '_' and '-' only") String pool,
        @Size(max = 64) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 500) String> labels,
        @NotBlank @Size(max = 200) String owner,
        @NotNull SessionKind kind,
        Boolean waitForRunner,
        Boolean autoPause,
        @Positive Long idleHumanMs,
        @Positive Long idleAgentMs) {

    /** An absent {@code labels} is the obvious default: no label required. */
    public CreateSessionRequest {
        labels = labels == null ? Map.of() : labels;
    }
}
