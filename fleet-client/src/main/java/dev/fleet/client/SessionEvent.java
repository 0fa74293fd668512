package dev.fleet.client;

/** One entry of a session's event log; {@code source} is human, agent or system; {@code data} any JSON-able value. */
public record SessionEvent(String type, String source, Object data) {
}
