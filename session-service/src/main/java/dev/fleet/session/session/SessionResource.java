package dev.fleet.session.session;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.operation.OperationError;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.runner.RunnerTokens;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Sessions: create, read, list, and the lifecycle actions. Every action that takes time answers
 * {@code 202 Accepted} with its operation ({@code Location: /operations/{id}}).
 */
@Path("/sessions")
public class SessionResource {

    /** {@code POST /sessions/{id}/handover}: the runner to move to, or any other of the pool. */
    public record HandoverRequest(UUID runnerId) {
    }

    private final SessionService sessions;

    @Inject
    SecurityIdentity identity;

    SessionResource(SessionService sessions) {
        this.sessions = sessions;
    }

    @POST
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<Response> createSession(@Valid @NotNull CreateSessionRequest request) {
        return sessions.createSession(request).map(SessionResource::accepted);
    }

    @GET
    @Path("/{id}")
    public Uni<SessionView> getSession(@PathParam("id") UUID id) {
        return sessions.findSessionById(id);
    }

    @GET
    public Uni<Map<String, Object>> listSessions(@QueryParam("pool") String pool, @QueryParam("state") SessionState state,
            @QueryParam("runner") UUID runner, @QueryParam("owner") String owner,
            @QueryParam("beforeCreatedAt") Instant beforeCreatedAt, @QueryParam("beforeId") UUID beforeId,
            @QueryParam("limit") @DefaultValue("100") @Min(1) int limit) {
        return sessions.listSessions(new SessionFilter(pool, state, runner, owner, beforeCreatedAt, beforeId, limit))
                .map(page -> page(page, limit));
    }

    @POST
    @Path("/{id}/stop")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<Response> stopSession(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token) {
        return sessions.stopSession(id, runnerCaller(token)).map(SessionResource::accepted);
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<Response> pauseSession(@PathParam("id") UUID id) {
        return sessions.pauseSession(id, false).map(SessionResource::accepted);
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<Response> resumeSession(@PathParam("id") UUID id) {
        return sessions.resumeSession(id).map(SessionResource::accepted);
    }

    @POST
    @Path("/{id}/components/{component}/restart")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<Response> restartComponent(@PathParam("id") UUID id,
            @PathParam("component") @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9._-]+") String component,
            @HeaderParam(RunnerTokens.HEADER) String token) {
        return sessions.restartComponent(id, component, runnerCaller(token)).map(op -> {
            if (op.error() != null && OperationError.RESOURCE_EXHAUSTED.equals(op.error().code())) {
                long waitMs = ((Number) op.metadata().get("retryAfterMs")).longValue();
                throw ProblemException.tooManyRequests("restart-throttled", op.error().message(), Duration.ofMillis(waitMs))
                        .with("operation", op.id().toString());
            }
            return accepted(op);
        });
    }

    @POST
    @Path("/{id}/handover")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<Response> handoverSession(@PathParam("id") UUID id, HandoverRequest request) {
        return sessions.handoverSession(id, request == null ? null : request.runnerId()).map(SessionResource::accepted);
    }

    /** A runner acts only on its own sessions (its token is checked); clients and admins on any. */
    private RunnerCaller runnerCaller(String token) {
        return identity.hasRole(FleetRole.RUNNER) ? RunnerCaller.of(identity, token) : null;
    }

    static Response accepted(OperationView op) {
        return Response.accepted(op).location(URI.create("/operations/" + op.id())).build();
    }

    private static Map<String, Object> page(List<SessionView> page, int limit) {
        if (page.size() < limit) {
            return Map.of("sessions", page);
        }
        SessionView last = page.get(page.size() - 1);
        return Map.of("sessions", page, "next", Map.of("beforeCreatedAt", last.createdAt().toString(),
                "beforeId", last.id().toString()));
    }
}
