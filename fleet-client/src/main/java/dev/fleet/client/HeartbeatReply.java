package dev.fleet.client;

/** session-service's answer to a heartbeat: the runner's health as seen there, and how many operations wait for it. */
public record HeartbeatReply(String health, boolean draining, int pendingOperations) {
}
