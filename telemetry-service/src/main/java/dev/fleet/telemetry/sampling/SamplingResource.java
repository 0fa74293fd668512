package dev.fleet.telemetry.sampling;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** {@code GET /sampling}: the sampling rules, for reporters to apply before they send. */
@Path("/sampling")
public class SamplingResource {

    private final SamplingPolicy policy;

    SamplingResource(SamplingPolicy policy) {
        this.policy = policy;
    }

    @GET
    public SamplingView getSampling() {
        return policy.view();
    }
}
