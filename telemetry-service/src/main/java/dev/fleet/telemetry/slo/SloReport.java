package dev.fleet.telemetry.slo;

import java.time.Instant;
import java.util.List;

/** Answer of {@code GET /slos}: the window (since, until] and one line per objective, scope and class. */
public record SloReport(Instant since, Instant until, List<SloView> slos) {
}
