package dev.fleet.session.event;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /sessions/{id}/events}: a batch appended as one unit, in order. The limits
 * that come from configuration (batch size, data size) are checked by {@link EventService}; the
 * fixed ones are declared here.
 */
public record AppendEventsRequest(@NotNull List<@Valid @NotNull NewEvent> events) {

    /**
     * One event to append. {@code type} becomes the SSE event name when followed, so it may not hold
     * control characters (a line break would end the SSE field); {@code source} defaults to
     * {@code system}; {@code data} is any JSON value, or absent.
     */
    public record NewEvent(
            @NotBlank @Size(max = 100) @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") String type,
            EventSource source,
            JsonNode data) {

        EventSource sourceOrDefault() {
            return source == null ? EventSource.system : source;
        }
    }
}
