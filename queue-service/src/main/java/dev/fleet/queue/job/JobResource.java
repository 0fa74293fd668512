package dev.fleet.queue.job;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import dev.fleet.platform.auth.FleetRole;
import dev.fleet.queue.claim.LeaseOutcome;
import dev.fleet.queue.claim.LeaseRequests;
import dev.fleet.queue.claim.LeaseService;
import io.smallrye.mutiny.Uni;

/** Read, list and cancel jobs; the lease actions of a claimed job. */
@Path("/jobs")
public class JobResource {

    private final JobService jobs;
    private final LeaseService leases;

    JobResource(JobService jobs, LeaseService leases) {
        this.jobs = jobs;
        this.leases = leases;
    }

    @GET
    @Path("/{id}")
    public Uni<JobView> findJob(@PathParam("id") long id, @QueryParam("waitMs") @DefaultValue("0") @Min(0) long waitMs) {
        return jobs.awaitJob(id, waitMs);
    }

    @GET
    public Uni<JobPage> listJobs(@QueryParam("queue") String queue, @QueryParam("state") JobState state,
            @QueryParam("priority") Priority priority, @QueryParam("kind") String kind,
            @QueryParam("uniqueKey") String uniqueKey, @QueryParam("fairnessKey") String fairnessKey,
            @QueryParam("cursor") Long cursor, @QueryParam("limit") Integer limit) {
        return jobs.listJobs(new JobFilter(queue, state, priority, kind, uniqueKey, fairnessKey), cursor, limit);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed({ FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<JobView> cancelJob(@PathParam("id") long id) {
        return jobs.cancelJob(id);
    }

    /** Extends the lease by the queue's lease duration. 409 when the token is no longer the job's lease. */
    @POST
    @Path("/{id}/heartbeat")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<LeaseOutcome> heartbeatJob(@PathParam("id") long id, @Valid @NotNull LeaseRequests.Lease request) {
        return leases.heartbeat(List.of(new LeaseRequests.Lease(id, request.leaseToken())))
                .map(outcomes -> LeaseService.requireOk(outcomes.get(0)));
    }

    @POST
    @Path("/{id}/complete")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<LeaseOutcome> completeJob(@PathParam("id") long id, @Valid @NotNull LeaseRequests.Complete request) {
        return leases.complete(List.of(new LeaseRequests.Complete(id, request.leaseToken(), request.result())))
                .map(outcomes -> LeaseService.requireOk(outcomes.get(0)));
    }

    /** Retries with backoff while attempts remain and the error is retryable; otherwise the job goes dead. */
    @POST
    @Path("/{id}/fail")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<LeaseOutcome> failJob(@PathParam("id") long id, @Valid @NotNull LeaseRequests.Fail request) {
        return leases.fail(List.of(new LeaseRequests.Fail(id, request.leaseToken(), request.error(), request.retryable())))
                .map(outcomes -> LeaseService.requireOk(outcomes.get(0)));
    }

    /** Gives the job back without using an attempt (graceful shutdown). */
    @POST
    @Path("/{id}/release")
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.ADMIN })
    public Uni<LeaseOutcome> releaseJob(@PathParam("id") long id, @Valid @NotNull LeaseRequests.Lease request) {
        return leases.release(List.of(new LeaseRequests.Lease(id, request.leaseToken())))
                .map(outcomes -> LeaseService.requireOk(outcomes.get(0)));
    }
}
