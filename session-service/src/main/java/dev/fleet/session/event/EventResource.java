package dev.fleet.session.event;

import java.time.Duration;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.jboss.resteasy.reactive.ResponseStatus;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.runner.RunnerTokens;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;

/**
 * A session's event log: runners and clients append batches, anyone reads it backwards page by
 * page, or follows it live as Server-Sent Events ({@code id} = seq, {@code event} = type,
 * {@code data} = the event as JSON), resuming after a disconnect with {@code Last-Event-ID}.
 *
 * <p>Trade-off of the follow endpoint: an SSE response commits its 200 before the stream's first
 * item, so everything that can refuse a stream (unknown session, limits) must be decided before
 * the method returns. That needs one database read, so the method runs on a worker thread and
 * waits for that read there (bounded, never on the event loop); the stream itself is
 * non-blocking.
 */
@Path("/sessions/{id}/events")
public class EventResource {

    /** Longest wait for the read that admits a follow stream. */
    static final Duration FOLLOW_START_TIMEOUT = Duration.ofSeconds(10);

    private final EventService events;

    @Inject
    SecurityIdentity identity;

    EventResource(EventService events) {
        this.events = events;
    }

    @POST
    @ResponseStatus(201)
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<AppendedEvents> appendEvents(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            @Valid @NotNull AppendEventsRequest request) {
        // A runner appends only to sessions it holds (its token is checked); clients and admins to any.
        return events.appendEvents(id, request, identity.hasRole(FleetRole.RUNNER) ? RunnerCaller.of(identity, token) : null);
    }

    @GET
    public Uni<EventPage> listEvents(@PathParam("id") UUID id, @QueryParam("beforeSeq") @Min(1) Long beforeSeq,
            @QueryParam("limit") @DefaultValue("100") @Min(1) int limit) {
        return events.listEvents(id, beforeSeq, limit);
    }

    /**
     * Follows the log. Starts after {@code Last-Event-ID} when the client resumes (it wins: a
     * reconnecting EventSource repeats the original URL), else after {@code after}, else with the
     * newest {@code tail} events (none by default).
     */
    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> followEvents(@PathParam("id") UUID id,
            @QueryParam("tail") @DefaultValue("0") @Min(0) int tail, @QueryParam("after") @Min(0) Long after,
            @HeaderParam("Last-Event-ID") @Min(0) Long lastEventId, @Context Sse sse) {
        Multi<EventView> stream;
        try {
            stream = events.followEvents(id, tail, lastEventId != null ? lastEventId : after).await().atMost(FOLLOW_START_TIMEOUT);
        } catch (TimeoutException e) {
            throw ProblemException.unavailable("database-slow", "The database did not answer within "
                    + FOLLOW_START_TIMEOUT.toSeconds() + " s; retry shortly.", Duration.ofSeconds(1));
        }
        return stream.map(event -> sse.newEventBuilder()
                .id(Long.toString(event.seq()))
                .name(event.type())
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(EventView.class, event)
                .build());
    }
}
