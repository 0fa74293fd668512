package dev.fleet.session.operation;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Singleton;

import dev.fleet.session.config.SessionConfig;

/** The deadline of each operation kind, from {@code fleet.session.operations.timeouts}. */
@Singleton
public class OperationTimeouts {

    private final SessionConfig config;

    OperationTimeouts(SessionConfig config) {
        this.config = config;
    }

    public Duration of(OperationKind kind) {
        SessionConfig.Timeouts timeouts = config.operations().timeouts();
        return switch (kind) {
            case start -> timeouts.start();
            case stop -> timeouts.stop();
            case pause -> timeouts.pause();
            case resume -> timeouts.resume();
            case restart -> timeouts.restart();
            case handover -> timeouts.handover();
        };
    }

    public Instant deadline(OperationKind kind, Instant now) {
        return now.plus(of(kind));
    }
}
