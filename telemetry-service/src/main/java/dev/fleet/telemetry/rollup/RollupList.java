package dev.fleet.telemetry.rollup;

import java.util.List;

/** Answer of {@code GET /rollups}. */
public record RollupList(List<RollupView> rollups) {
}
