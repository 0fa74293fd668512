package dev.fleet.queue.claim;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/** {@code POST /queues/{queue}/claim}: up to {@code max} jobs with their leases, waiting up to {@code waitMs} for work. */
@Path("/queues/{queue}/claim")
@RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
public class ClaimResource {

    private final ClaimService claims;

    ClaimResource(ClaimService claims) {
        this.claims = claims;
    }

    @POST
    public Uni<Map<String, List<ClaimedJob>>> claimJobs(@PathParam("queue") String queue,
            @Valid @NotNull ClaimRequest request) {
        return claims.claimJobs(queue, request).map(jobs -> Map.of("jobs", jobs));
    }
}
