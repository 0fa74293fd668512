package dev.fleet.scaler.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.scaler.config.ScalerConfig;
import io.smallrye.mutiny.Uni;

/** The decision log: per pool newest first, or every pool's since a time (to follow it by polling). */
@Path("/events")
public class EventResource {

    private final EventStore events;
    private final ScalerConfig config;
    private final Clock clock;

    EventResource(EventStore events, ScalerConfig config, Clock clock) {
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    /** {@code {events, next: {since, afterId}}}, oldest first, from {@code since} (default: the last hour). */
    @GET
    public Uni<Map<String, Object>> eventsSince(@QueryParam("since") String since, @QueryParam("afterId") Long afterId,
            @QueryParam("limit") Integer limit) {
        Instant from = since(since);
        int n = limit(limit, config);
        return events.since(from, afterId == null ? 0 : afterId, n).map(list -> page(list, list.isEmpty() ? null
                : Map.of("since", from.toString(), "afterId", list.getLast().id())));
    }

    static int limit(Integer limit, ScalerConfig config) {
        int n = limit == null ? 100 : limit;
        if (n < 1) {
            throw ProblemException.invalidField("limit", "limit must be at least 1.");
        }
        if (n > config.maxEventsPerQuery()) {
            throw ProblemException.overLimit("limit", config.maxEventsPerQuery(), "At most "
                    + config.maxEventsPerQuery() + " events per query; page with next.");
        }
        return n;
    }

    private Instant since(String since) {
        if (since == null) {
            return clock.instant().minus(Duration.ofHours(1));
        }
        try {
            return Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw ProblemException.invalidField("since", "since must be an instant like 2026-11-23T10:00:00Z.");
        }
    }

    static Map<String, Object> page(List<ScalingEvent> list, Map<String, Object> next) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("events", list);
        if (next != null) {
            page.put("next", next);
        }
        return page;
    }
}
