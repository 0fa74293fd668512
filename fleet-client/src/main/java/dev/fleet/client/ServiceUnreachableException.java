package dev.fleet.client;

import java.net.URI;
import java.time.Duration;

/** A service could not be reached (or stayed busy) for as long as the retry policy allowed. */
public class ServiceUnreachableException extends RuntimeException {

    private final URI service;

    public ServiceUnreachableException(URI service, Duration triedFor, Throwable lastFailure) {
        super("cannot reach " + service + " (retried for " + triedFor.toSeconds() + " s): " + describe(lastFailure),
                lastFailure);
        this.service = service;
    }

    public URI service() {
        return service;
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "no answer";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }
}
