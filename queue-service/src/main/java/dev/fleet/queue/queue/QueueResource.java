package dev.fleet.queue.queue;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/** Queues: list with live stats, read one, change settings, pause and resume. */
@Path("/queues")
public class QueueResource {

    private final QueueService queues;

    QueueResource(QueueService queues) {
        this.queues = queues;
    }

    @GET
    public Uni<List<QueueView>> listQueues() {
        return queues.listQueues();
    }

    @GET
    @Path("/{queue}")
    public Uni<QueueView> findQueue(@PathParam("queue") String queue) {
        return queues.findQueue(queue);
    }

    @PUT
    @Path("/{queue}")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<QueueSettings> updateQueue(@PathParam("queue") String queue, @Valid @NotNull QueueSettingsRequest request) {
        return queues.updateSettings(queue, request);
    }

    @POST
    @Path("/{queue}/pause")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<QueueSettings> pauseQueue(@PathParam("queue") String queue) {
        return queues.setPaused(queue, true);
    }

    @POST
    @Path("/{queue}/resume")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<QueueSettings> resumeQueue(@PathParam("queue") String queue) {
        return queues.setPaused(queue, false);
    }
}
