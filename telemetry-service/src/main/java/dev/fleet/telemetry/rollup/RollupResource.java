package dev.fleet.telemetry.rollup;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import io.smallrye.mutiny.Uni;

/** {@code GET /rollups}: per-minute rollups of the samples, kept longer than the samples. */
@Path("/rollups")
public class RollupResource {

    private final RollupService rollups;

    RollupResource(RollupService rollups) {
        this.rollups = rollups;
    }

    @GET
    public Uni<RollupList> listRollups(@QueryParam("feature") String feature, @QueryParam("source") String source,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("limit") Integer limit) {
        return rollups.listRollups(feature, source, since, until, limit).map(RollupList::new);
    }
}
