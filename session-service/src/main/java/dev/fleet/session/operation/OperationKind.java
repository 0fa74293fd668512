package dev.fleet.session.operation;

/**
 * Lifecycle actions that take time (docs/session-states.md): each is an operation the session's
 * runner carries out and reports back on, with its own timeout ({@code fleet.session.operations.timeouts}).
 */
public enum OperationKind {
    start, stop, pause, resume, restart, handover
}
