package dev.fleet.scaler.pool;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import dev.fleet.platform.auth.FleetRole;
import io.smallrye.mutiny.Uni;

/** Pools: any role reads them; admins create, change, delete and scale them by hand. */
@Path("/pools")
public class PoolResource {

    private final PoolService pools;

    PoolResource(PoolService pools) {
        this.pools = pools;
    }

    @GET
    public Uni<Map<String, List<PoolView>>> listPools() {
        return pools.list().map(list -> Map.of("pools", list));
    }

    @GET
    @Path("/{pool}")
    public Uni<PoolView> findPool(@PathParam("pool") String pool) {
        return pools.find(pool);
    }

    /** Creates (201) or replaces (200) a pool. */
    @PUT
    @Path("/{pool}")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<Response> putPool(@PathParam("pool") String pool, @NotNull PoolSpec spec) {
        return pools.put(pool, spec).map(saved -> Response.status(saved.created() ? 201 : 200)
                .entity(PoolView.of(saved.pool())).build());
    }

    /** 204; 409 {@code pool-busy} while instances run. */
    @DELETE
    @Path("/{pool}")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<Void> deletePool(@PathParam("pool") String pool) {
        return pools.delete(pool);
    }

    /** 202 with the recorded event; the leader carries it out and updates the event's outcome. */
    @POST
    @Path("/{pool}/scale")
    @RolesAllowed(FleetRole.ADMIN)
    public Uni<Response> scalePool(@PathParam("pool") String pool, @Valid @NotNull ScaleRequest request) {
        return pools.scale(pool, request).map(event -> Response.accepted(event).build());
    }
}
