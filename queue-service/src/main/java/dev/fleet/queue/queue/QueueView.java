package dev.fleet.queue.queue;

/** A queue as {@code GET /queues} shows it: settings and live stats. */
public record QueueView(QueueSettings settings, QueueStats stats) {
}
