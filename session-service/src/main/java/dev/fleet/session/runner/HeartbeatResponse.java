package dev.fleet.session.runner;

/** The answer to a heartbeat: how the registry sees the runner, and whether operations wait for it. */
public record HeartbeatResponse(RunnerHealth health, boolean draining, long pendingOperations) {
}
