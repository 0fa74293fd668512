package dev.fleet.telemetry.sample;

import java.time.Instant;

/** What a listing or summary reads: samples of this source and feature at or after {@code since}; null means any. */
public record SampleFilter(String source, String feature, Instant since) {
}
