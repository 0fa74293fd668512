package dev.fleet.telemetry.finding;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Singleton;

/**
 * Whether each queue's available depth grew since the previous evaluation that read it (the
 * "queue growing" of the CPU-bound signature). In memory per replica; a queue seen for the first
 * time has not grown.
 */
@Singleton
class QueueTrend {

    private final Map<String, Long> previous = new HashMap<>();

    /** Records this reading; @return whether it is above the previous one. */
    synchronized boolean grew(String queue, long available) {
        Long before = previous.put(queue, available);
        return before != null && available > before;
    }

    /** Forgets the queues the input no longer lists. */
    synchronized void retain(Set<String> queues) {
        previous.keySet().retainAll(queues);
    }
}
