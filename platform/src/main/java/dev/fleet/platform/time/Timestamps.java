package dev.fleet.platform.time;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.vertx.mutiny.sqlclient.Row;

/** Moves instants to and from {@code timestamptz} parameters and columns of the reactive client. */
public final class Timestamps {

    private Timestamps() {
    }

    /** A {@code timestamptz} parameter; null stays null. */
    public static OffsetDateTime param(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A {@code timestamptz} column as an instant; null stays null. */
    public static Instant column(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
