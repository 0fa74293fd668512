package dev.fleet.session.event;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Answer of {@code GET /sessions/{id}/events}: events in ascending {@code seq}, and, when older
 * ones exist, the cursor that reads the page before them. A cursor on {@code seq} (rather than
 * an offset) keeps every page a short scan of the primary key, however deep the client pages.
 */
public record EventPage(List<EventView> events, @JsonInclude(JsonInclude.Include.NON_NULL) Next next) {

    /** Where the next (older) page starts. */
    public record Next(long beforeSeq) {
    }

    static EventPage of(List<EventView> ascending) {
        long lowest = ascending.isEmpty() ? 0 : ascending.get(0).seq();
        return new EventPage(ascending, lowest > 1 ? new Next(lowest) : null);
    }
}
