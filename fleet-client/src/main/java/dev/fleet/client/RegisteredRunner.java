package dev.fleet.client;

import java.time.Duration;

/** A registered runner: its id and the runner token every later call about it presents. */
public record RegisteredRunner(String id, String pool, String token, Duration heartbeatInterval) {
}
