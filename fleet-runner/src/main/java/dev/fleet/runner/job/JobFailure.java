package dev.fleet.runner.job;

/** A job failed for a reason the handler understands; {@code retryable} false sends it straight to the dead letters. */
public class JobFailure extends Exception {

    private final boolean retryable;

    public JobFailure(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
