package dev.fleet.session.operation;

import java.time.Instant;
import java.util.Map;
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
import jakarta.ws.rs.QueryParam;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.runner.RunnerTokens;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Long-running operations (AIP-151): read and list them; the runner that carries one out reports
 * progress and its end with its {@code X-Runner-Token}; clients may cancel.
 */
@Path("/operations")
public class OperationResource {

    private final OperationService operations;

    @Inject
    SecurityIdentity identity;

    OperationResource(OperationService operations) {
        this.operations = operations;
    }

    @GET
    public Uni<Map<String, Object>> listOperations(@QueryParam("target") UUID target, @QueryParam("runner") UUID runner,
            @QueryParam("done") Boolean done, @QueryParam("beforeCreatedAt") Instant beforeCreatedAt,
            @QueryParam("beforeId") UUID beforeId, @QueryParam("limit") @DefaultValue("100") @Min(1) int limit) {
        return operations.listOperations(target, runner, done, beforeCreatedAt, beforeId, limit).map(page -> {
            if (page.size() < limit) {
                return Map.of("operations", page);
            }
            OperationView last = page.get(page.size() - 1);
            return Map.of("operations", page, "next", Map.of("beforeCreatedAt", last.createdAt().toString(),
                    "beforeId", last.id().toString()));
        });
    }

    @GET
    @Path("/{id}")
    public Uni<OperationView> getOperation(@PathParam("id") UUID id) {
        return operations.findOperationById(id);
    }

    @POST
    @Path("/{id}/complete")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<OperationView> completeOperation(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            OperationRequests.Complete request) {
        return operations.completeOperation(id, RunnerCaller.of(identity, token), request == null ? null : request.result());
    }

    @POST
    @Path("/{id}/fail")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<OperationView> failOperation(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            @Valid @NotNull OperationRequests.Fail request) {
        return operations.failOperation(id, RunnerCaller.of(identity, token), request.error());
    }

    @POST
    @Path("/{id}/progress")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<OperationView> reportProgress(@PathParam("id") UUID id, @HeaderParam(RunnerTokens.HEADER) String token,
            @Valid @NotNull OperationRequests.Progress request) {
        return operations.reportProgress(id, RunnerCaller.of(identity, token), request.progress(), request.metadata());
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<OperationView> cancelOperation(@PathParam("id") UUID id) {
        return operations.cancelOperation(id);
    }
}
