package dev.fleet.queue.deadletter;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.queue.job.JobFilter;
import dev.fleet.queue.job.JobPage;
import dev.fleet.queue.job.JobService;
import dev.fleet.queue.job.JobState;
import dev.fleet.queue.job.JobView;
import io.smallrye.mutiny.Uni;

/** The dead-letter queue: list dead jobs, replay one or all matching a filter, purge. */
@Path("/dead-letters")
public class DeadLetterResource {

    private final DeadLetterService deadLetters;
    private final JobService jobs;

    DeadLetterResource(DeadLetterService deadLetters, JobService jobs) {
        this.deadLetters = deadLetters;
        this.jobs = jobs;
    }

    @GET
    public Uni<JobPage> listDeadLetters(@QueryParam("queue") String queue, @QueryParam("kind") String kind,
            @QueryParam("cursor") Long cursor, @QueryParam("limit") Integer limit) {
        return jobs.listJobs(new JobFilter(queue, JobState.dead, null, kind, null, null), cursor, limit);
    }

    /** Back to the queue with fresh attempts. 409 if the job is not dead or its unique key is live again. */
    @POST
    @Path("/{id}/replay")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<JobView> replayDeadLetter(@PathParam("id") long id) {
        return deadLetters.replayJob(id);
    }

    /** Replays the dead jobs matching the filter (body fields queue, kind, reason; all optional). */
    @POST
    @Path("/replay")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<DeadLetterService.BulkResult> replayDeadLetters(@Valid DeadLetterFilter filter) {
        return deadLetters.replayMatching(filter == null ? new DeadLetterFilter(null, null, null) : filter);
    }

    @DELETE
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<DeadLetterService.BulkResult> purgeDeadLetters(@QueryParam("queue") String queue,
            @QueryParam("kind") String kind, @QueryParam("reason") String reason) {
        return deadLetters.purgeMatching(new DeadLetterFilter(queue, kind, reason));
    }
}
