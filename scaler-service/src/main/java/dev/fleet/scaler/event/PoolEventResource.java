package dev.fleet.scaler.event;

import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import dev.fleet.scaler.config.ScalerConfig;
import io.smallrye.mutiny.Uni;

/** One pool's decisions, newest first. */
@Path("/pools/{pool}/events")
public class PoolEventResource {

    private final EventStore events;
    private final ScalerConfig config;

    PoolEventResource(EventStore events, ScalerConfig config) {
        this.events = events;
        this.config = config;
    }

    /** {@code {events, next: {beforeId}}}. */
    @GET
    public Uni<Map<String, Object>> poolEvents(@PathParam("pool") String pool, @QueryParam("limit") Integer limit,
            @QueryParam("beforeId") Long beforeId) {
        int n = EventResource.limit(limit, config);
        return events.forPool(pool, beforeId, n).map(list -> EventResource.page(list, list.size() == n
                ? Map.of("beforeId", list.getLast().id()) : null));
    }
}
