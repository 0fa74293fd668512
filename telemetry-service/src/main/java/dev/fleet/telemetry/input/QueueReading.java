package dev.fleet.telemetry.input;

/** One queue's live stats as queue-service reports them ({@code GET /queues}). */
public record QueueReading(String name, long available, long running, long oldestAvailableMs) {
}
