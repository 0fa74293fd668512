package dev.fleet.telemetry.finding;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import io.smallrye.mutiny.Uni;

/** {@code GET /findings?state=open|resolved&kind=capacity|bottleneck&limit=}: what the evaluator found, newest first. */
@Path("/findings")
public class FindingResource {

    private final FindingService findings;

    FindingResource(FindingService findings) {
        this.findings = findings;
    }

    @GET
    public Uni<FindingList> listFindings(@QueryParam("state") String state, @QueryParam("kind") String kind,
            @QueryParam("limit") Integer limit) {
        return findings.listFindings(state, kind, limit).map(FindingList::new);
    }
}
