package dev.fleet.telemetry.sample;

/** Answer of {@code POST /samples}: how many samples were stored (always the whole batch). */
public record IngestedSamples(int accepted) {
}
