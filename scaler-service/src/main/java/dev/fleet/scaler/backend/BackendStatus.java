package dev.fleet.scaler.backend;

/**
 * What a backend has for a pool: {@code desired} instances asked for, {@code running} started
 * and alive, {@code ready} of those ready to serve (where the backend can tell; else = running),
 * and a short human-readable {@code detail} for the scaling event.
 */
public record BackendStatus(int desired, int running, int ready, String detail) {
}
