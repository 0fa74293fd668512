package dev.fleet.telemetry.finding;

import java.util.List;

/** Answer of {@code GET /findings}. */
public record FindingList(List<FindingView> findings) {
}
