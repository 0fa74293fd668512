package dev.fleet.queue.claim;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/**
 * Batch forms of the lease actions, for runners holding many jobs: one request, one transaction,
 * one outcome per item ({@code ok}, {@code lease-lost}, {@code not-found}) in the order given.
 */
@Path("/leases")
@RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
public class LeaseResource {

    private final LeaseService leases;

    LeaseResource(LeaseService leases) {
        this.leases = leases;
    }

    @POST
    @Path("/heartbeat")
    public Uni<Map<String, List<LeaseOutcome>>> heartbeatJobs(@Valid @NotNull LeaseRequests.LeaseBatch batch) {
        return leases.heartbeat(batch.items()).map(LeaseResource::wrap);
    }

    @POST
    @Path("/complete")
    public Uni<Map<String, List<LeaseOutcome>>> completeJobs(@Valid @NotNull LeaseRequests.CompleteBatch batch) {
        return leases.complete(batch.items()).map(LeaseResource::wrap);
    }

    @POST
    @Path("/fail")
    public Uni<Map<String, List<LeaseOutcome>>> failJobs(@Valid @NotNull LeaseRequests.FailBatch batch) {
        return leases.fail(batch.items()).map(LeaseResource::wrap);
    }

    @POST
    @Path("/release")
    public Uni<Map<String, List<LeaseOutcome>>> releaseJobs(@Valid @NotNull LeaseRequests.LeaseBatch batch) {
        return leases.release(batch.items()).map(LeaseResource::wrap);
    }

    private static Map<String, List<LeaseOutcome>> wrap(List<LeaseOutcome> outcomes) {
        return Map.of("results", outcomes);
    }
}
