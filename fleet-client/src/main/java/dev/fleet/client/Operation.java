package dev.fleet.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A long-running session operation assigned to this runner ({@code kind} start, stop, pause,
 * resume, restart, handover); {@code target} is the session id, {@code metadata} what the runner
 * needs (resources, component, ...).
 */
public record Operation(String id, String kind, String target, String runnerId, boolean done, JsonNode metadata) {
}
