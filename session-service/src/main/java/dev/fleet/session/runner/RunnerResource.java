package dev.fleet.session.runner;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import dev.fleet.platform.auth.FleetRole;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * The runner registry. Runners register (runner or admin role) and then act as themselves with
 * the token they got ({@code X-Runner-Token}); admins may act for any runner.
 */
@Path("/runners")
public class RunnerResource {

    private final RunnerService runners;

    @Inject
    SecurityIdentity identity;

    RunnerResource(RunnerService runners) {
        this.runners = runners;
    }

    @POST
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<Response> registerRunner(@Valid @NotNull RegisterRunnerRequest request) {
        return runners.registerRunner(request).map(registered -> Response.status(Response.Status.CREATED)
                .entity(registered).location(java.net.URI.create("/runners/" + registered.runner().id())).build());
    }

    @POST
    @Path("/{id}/heartbeat")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<HeartbeatResponse> heartbeat(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            @Valid @NotNull HeartbeatRequest beat) {
        return runners.heartbeat(id, RunnerCaller.of(identity, token), beat);
    }

    @POST
    @Path("/{id}/drain")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<RunnerView> drainRunner(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token) {
        return runners.drainRunner(id, RunnerCaller.of(identity, token));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<RunnerView> deregisterRunner(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            @QueryParam("force") @DefaultValue("false") boolean force) {
        return runners.deregisterRunner(id, RunnerCaller.of(identity, token), force);
    }

    @GET
    @Path("/{id}")
    public Uni<RunnerView> getRunner(@PathParam("id") UUID id) {
        return runners.findRunnerById(id);
    }

    @GET
    public Uni<Map<String, List<RunnerView>>> listRunners(@QueryParam("pool") String pool,
            @QueryParam("state") @Pattern(regexp = "healthy|degraded|unhealthy|gone|draining",
                    message = "one of healthy, degraded, unhealthy, gone, draining") String state) {
        return runners.listRunners(pool, state).map(list -> Map.of("runners", list));
    }
}
