package dev.fleet.telemetry.sample;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleet.platform.time.Timestamps;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A stored sample as the API shows it. {@code attributes} travels as raw JSON text (PostgreSQL
 * renders it, Jackson copies it), so it is never parsed on the way out; it is {@code {}} when the
 * reporter sent none.
 */
public record SampleView(
        long id,
        String source,
        String feature,
        double durationMs,
        String outcome,
        Instant at,
        @JsonRawValue String attributes) {

    /** The columns {@link #from} reads. */
    static final String COLUMNS = "id, source, feature, duration_ms, outcome, at, attributes::text AS attributes";

    static SampleView from(Row row) {
        return new SampleView(row.getLong("id"), row.getString("source"), row.getString("feature"),
                row.getDouble("duration_ms"), row.getString("outcome"), Timestamps.column(row, "at"),
                row.getString("attributes"));
    }
}
