package dev.fleet.session.runner;

/**
 * The answer to a registration. {@code token} is shown once: the runner sends it as
 * {@code X-Runner-Token} on everything it does as this runner (heartbeats, its operations).
 */
public record RegisteredRunner(RunnerView runner, String token, long heartbeatIntervalMs) {
}
