package dev.fleet.scaler.backend;

/**
 * A backend could not do what was asked. {@code retryable}: a later try may work (API
 * unreachable, conflict); otherwise the pool's settings are wrong (no such Deployment, command
 * not found) and retrying the same call is pointless.
 */
public class BackendException extends RuntimeException {

    private final boolean retryable;

    public BackendException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
