package dev.fleet.queue.job;

import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.queue.QueueNames;
import io.smallrye.mutiny.Multi;

/**
 * {@code GET /queues/{queue}/outcomes}: a Server-Sent Events stream of the queue's jobs as they
 * finish, for producers that submit many and want every result without a request per job. Each
 * event is {@code id} = job id, {@code event} = its final state, {@code data} = the job as
 * {@code GET /jobs/{id}} shows it. The stream starts with the jobs finishing from the moment it
 * opens and ends after {@code outcome-stream-idle-timeout} without an outcome; it counts as one of
 * this replica's {@code max-waiting-results} waits (429 before it starts when full).
 */
@Path("/queues/{queue}/outcomes")
public class OutcomeResource {

    /** Longest wait for the database clock that starts a stream's cursor. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final JobQueries queries;
    private final ResultWaiters waiters;
    private final QueueConfig config;

    OutcomeResource(JobQueries queries, ResultWaiters waiters, QueueConfig config) {
        this.queries = queries;
        this.waiters = waiters;
        this.config = config;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> followOutcomes(@PathParam("queue") String queue, @Context Sse sse) {
        QueueNames.require(queue);
        ResultWaiters.QueueWatch watch = waiters.watchQueue(queue); // 429 here, before the 200 is committed
        OutcomeStream stream = new OutcomeStream(queue, queries, watch, config.resultRecheck(),
                config.outcomeStreamIdleTimeout());
        return queries.databaseNow().onFailure().invoke(watch::close).toMulti()
                .flatMap(now -> stream.stream(now))
                .map(job -> sse.newEventBuilder().id(String.valueOf(job.id())).name(job.state().name())
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(JobView.class, job).build());
    }
}
