package dev.fleet.session.event;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.fleet.platform.time.Timestamps;
import io.vertx.mutiny.sqlclient.Row;

/**
 * One logged event as reads and follow streams show it. {@code data} is carried as the JSON text
 * PostgreSQL renders from the {@code jsonb} column and written out raw: the service never parses
 * what it only passes through (at the cost of {@code data} being an untyped string in the
 * OpenAPI document).
 */
public record EventView(long seq, Instant at, String type, EventSource source, @JsonRawValue String data) {

    /** The columns {@link #from} reads ({@code data} as JSON text). */
    static final String COLUMNS = "seq, at, type, source, data::text AS data";

    static EventView from(Row row) {
        return new EventView(row.getLong("seq"), Timestamps.column(row, "at"), row.getString("type"),
                EventSource.valueOf(row.getString("source")), row.getString("data"));
    }
}
