package dev.fleet.session.operation;

/**
 * Why an operation failed, AIP-193 style: a code a program switches on and a message a person
 * reads. Codes: {@code FAILED} (the runner said so), {@code DEADLINE_EXCEEDED}, {@code CANCELLED},
 * {@code ABORTED} (the session ended or a stop superseded it), {@code RESOURCE_EXHAUSTED} (restart throttling).
 */
public record OperationError(String code, String message) {

    public static final String FAILED = "FAILED";
    public static final String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";
    public static final String CANCELLED = "CANCELLED";
    public static final String ABORTED = "ABORTED";
    public static final String RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED";
}
