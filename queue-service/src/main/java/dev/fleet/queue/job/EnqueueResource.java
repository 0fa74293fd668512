package dev.fleet.queue.job;

import java.net.URI;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/** Enqueue jobs into a queue (created on first use), one or a batch. */
@Path("/queues/{queue}/jobs")
@RolesAllowed({ FleetRole.CLIENT, FleetRole.RUNNER, FleetRole.ADMIN })
public class EnqueueResource {

    private final JobService jobs;

    EnqueueResource(JobService jobs) {
        this.jobs = jobs;
    }

    /** 201 with the new job; 200 with the live job that already holds the unique key. */
    @POST
    public Uni<Response> enqueueJob(@PathParam("queue") String queue, @Valid @NotNull EnqueueJobRequest request) {
        return jobs.enqueueJob(queue, request).map(outcome -> outcome.created()
                ? Response.created(URI.create("/jobs/" + outcome.job().id())).entity(outcome.job()).build()
                : Response.ok(outcome.job()).build());
    }

    /** All jobs in one transaction; each line says whether it was created or already live. */
    @POST
    @Path("/batch")
    public Uni<Map<String, List<EnqueuedJob>>> enqueueJobs(@PathParam("queue") String queue,
            @Valid @NotNull EnqueueBatchRequest request) {
        return jobs.enqueueJobs(queue, request.jobs()).map(outcomes -> Map.of("jobs", outcomes.stream()
                .map(o -> new EnqueuedJob(o.job().id(), o.job().state(), o.created())).toList()));
    }
}
