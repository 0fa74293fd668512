package dev.fleet.telemetry.sample;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.jboss.resteasy.reactive.ResponseStatus;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/** Performance samples: runners and services post them in batches; anyone with a token reads them. */
@Path("/samples")
public class SampleResource {

    private final SampleService samples;

    SampleResource(SampleService samples) {
        this.samples = samples;
    }

    /**
     * 202 once the batch is stored, but for samples over their source's per-minute cap, which are
     * dropped and counted in the answer; a bad sample refuses the batch (422 naming it).
     */
    @POST
    @ResponseStatus(202)
    @RolesAllowed({ FleetRole.RUNNER, FleetRole.CLIENT, FleetRole.ADMIN })
    public Uni<IngestedSamples> ingestSamples(IngestSamplesRequest request) {
        return samples.ingestSamples(request);
    }

    @GET
    public Uni<SampleList> listSamples(@QueryParam("source") String source, @QueryParam("feature") String feature,
            @QueryParam("since") String since, @QueryParam("limit") Integer limit) {
        return samples.listSamples(source, feature, since, limit).map(SampleList::new);
    }

    @GET
    @Path("/summary")
    public Uni<SampleSummary> summarizeSamples(@QueryParam("source") String source,
            @QueryParam("feature") String feature, @QueryParam("since") String since) {
        return samples.summarizeSamples(source, feature, since);
    }
}
