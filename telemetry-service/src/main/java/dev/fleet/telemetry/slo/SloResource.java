package dev.fleet.telemetry.slo;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import io.smallrye.mutiny.Uni;

/** {@code GET /slos?window=PT1H}: SLO attainment per objective, scope and priority class. */
@Path("/slos")
public class SloResource {

    private final SloService slos;

    SloResource(SloService slos) {
        this.slos = slos;
    }

    @GET
    public Uni<SloReport> slos(@QueryParam("window") String window) {
        return slos.report(window);
    }
}
