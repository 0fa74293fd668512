package dev.fleet.queue.periodic;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/**
 * Periodic (cron) jobs: every role may read definitions and their next tick; only admins create,
 * replace and delete them. Definitions can also come from {@code fleet.queue.periodic.*} config.
 */
@Path("/periodic-jobs")
public class PeriodicJobResource {

    private final PeriodicJobService periodicJobs;

    PeriodicJobResource(PeriodicJobService periodicJobs) {
        this.periodicJobs = periodicJobs;
    }

    @GET
    public Uni<List<PeriodicJobView>> listPeriodicJobs() {
        return periodicJobs.listPeriodicJobs();
    }

    @GET
    @Path("/{name}")
    public Uni<PeriodicJobView> findPeriodicJob(@PathParam("name") String name) {
        return periodicJobs.findPeriodicJob(name);
    }

    /** Creates or replaces the definition; 200 with it and its next tick. */
    @PUT
    @Path("/{name}")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<PeriodicJobView> putPeriodicJob(@PathParam("name") String name,
            @Valid @NotNull PeriodicJobRequest request) {
        return periodicJobs.putPeriodicJob(name, request);
    }

    /** 204; jobs it already enqueued stay. */
    @DELETE
    @Path("/{name}")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<Void> deletePeriodicJob(@PathParam("name") String name) {
        return periodicJobs.deletePeriodicJob(name);
    }
}
