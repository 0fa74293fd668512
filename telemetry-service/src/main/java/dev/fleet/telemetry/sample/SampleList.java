package dev.fleet.telemetry.sample;

import java.util.List;

/** Answer of {@code GET /samples}: newest first. */
public record SampleList(List<SampleView> samples) {
}
