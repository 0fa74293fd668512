package dev.fleet.session.operation;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Singleton;

import dev.fleet.session.config.SessionConfig;

/** The deadline of each operation kind, from {@code fleet.session.operations.timeouts}. */
@Singleton
public class OperationTimeouts {

    /** For a kind the configuration leaves out. */
    static final Duration FALLBACK = Duration.ofSeconds(30);

    private final SessionConfig config;

    OperationTimeouts(SessionConfig config) {
        this.config = config;
    }

    public Duration of(OperationKind kind) {
        return config.operations().timeouts().getOrDefault(kind.name(), FALLBACK);
    }

    public Instant deadline(OperationKind kind, Instant now) {
        return now.plus(of(kind));
    }
}
