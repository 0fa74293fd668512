package dev.fleet.queue.queue;

import java.util.Map;

/**
 * A queue's live numbers, cheap to read every second: they come only from the live slice of the
 * jobs table (partial indexes), never from the finished bulk.
 *
 * @param depth            jobs per live state
 * @param availableByPriority available jobs per priority (P0..P6)
 * @param oldestAvailableMs age of the oldest available job, 0 when none
 * @param runningByRunner  running jobs per runner id
 * @param finishedLastMinute jobs that reached succeeded / dead / cancelled in the last minute
 */
public record QueueStats(
        Map<String, Long> depth,
        Map<String, Long> availableByPriority,
        long oldestAvailableMs,
        Map<String, Long> runningByRunner,
        Map<String, Long> finishedLastMinute) {
}
