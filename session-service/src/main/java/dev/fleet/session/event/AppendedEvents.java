package dev.fleet.session.event;

/** Answer of an append: the sequence numbers the batch got, {@code firstSeq..lastSeq} with no gap. */
public record AppendedEvents(long firstSeq, long lastSeq) {
}
