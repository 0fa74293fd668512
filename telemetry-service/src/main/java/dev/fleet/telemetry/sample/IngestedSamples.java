package dev.fleet.telemetry.sample;

/**
 * Answer of {@code POST /samples}: how many samples were stored, and how many were dropped because
 * their source was over its per-minute cap ({@code fleet.telemetry.sampling.per-source-per-minute}).
 */
public record IngestedSamples(int accepted, int dropped) {
}
