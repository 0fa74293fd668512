package dev.fleet.telemetry.input;

import java.util.List;

/**
 * What one evaluation read from the other services; a list is null when its input could not be
 * read (so it says nothing: no finding opens from it and none resolves).
 */
public record InputReadings(List<RunnerReading> runners, List<QueueReading> queues) {

    public boolean runnersRead() {
        return runners != null;
    }

    public boolean queuesRead() {
        return queues != null;
    }
}
