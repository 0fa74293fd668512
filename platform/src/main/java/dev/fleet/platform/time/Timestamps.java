package dev.fleet.platform.time;

import java.time.Instant;
import java.time.LocalDateTime;
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

    /**
     * A {@code timestamptz} column as an instant; null stays null, and so do PostgreSQL's {@code infinity}
     * and {@code -infinity} (the client decodes them as the largest and smallest date-times): they mean
     * "never" or "no bound", which an API says by leaving the field out, not with a year of a billion.
     */
    public static Instant column(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        if (value == null) {
            return null;
        }
        LocalDateTime local = value.toLocalDateTime();
        return local.equals(LocalDateTime.MAX) || local.equals(LocalDateTime.MIN) ? null : value.toInstant();
    }
}
