package dev.fleet.gateway.admin;

import java.util.Comparator;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.platform.auth.FleetRole;
import dev.fleet.platform.problem.ProblemException;

/**
 * {@code /admin/pools}: what the gateway knows of each pool and instance, and the operator's levers:
 * a fixed weight for an instance, and drain (no new requests; in-flight ones finish).
 */
@Path("/admin/pools")
public class PoolAdminResource {

    /** The largest weight an admin may set; the formula's own weights are capacity-sized. */
    static final double MAX_WEIGHT = 1_000_000;

    private final Pools pools;

    PoolAdminResource(Pools pools) {
        this.pools = pools;
    }

    @GET
    public List<PoolView> all() {
        return pools.all().stream().map(pool -> PoolView.of(pool, false)).sorted(Comparator.comparing(PoolView::pool))
                .toList();
    }

    @GET
    @Path("/{pool}")
    public PoolView one(@PathParam("pool") String pool) {
        return PoolView.of(pool(pool), true);
    }

    @PUT
    @Path("/{pool}/instances/{instance}/weight")
    @RolesAllowed(FleetRole.ADMIN)
    public InstanceView overrideWeight(@PathParam("pool") String poolName, @PathParam("instance") String id,
            WeightOverride body) {
        Double weight = body == null ? null : body.weight();
        if (weight != null && !(weight > 0 && weight <= MAX_WEIGHT)) {
            throw ProblemException.invalidField("weight", "weight must be above 0 and at most " + (long) MAX_WEIGHT
                    + ", or null to use the formula again");
        }
        Pool pool = pool(poolName);
        Instance instance = instance(pool, id);
        instance.overrideWeight(weight);
        return refreshed(pool, instance);
    }

    @POST
    @Path("/{pool}/instances/{instance}/drain")
    @RolesAllowed(FleetRole.ADMIN)
    public InstanceView drain(@PathParam("pool") String poolName, @PathParam("instance") String id) {
        return drainByAdmin(poolName, id, true);
    }

    @DELETE
    @Path("/{pool}/instances/{instance}/drain")
    @RolesAllowed(FleetRole.ADMIN)
    public InstanceView undrain(@PathParam("pool") String poolName, @PathParam("instance") String id) {
        return drainByAdmin(poolName, id, false);
    }

    private InstanceView drainByAdmin(String poolName, String id, boolean draining) {
        Pool pool = pool(poolName);
        Instance instance = instance(pool, id);
        instance.drainByAdmin(draining);
        return refreshed(pool, instance);
    }

    private static InstanceView refreshed(Pool pool, Instance instance) {
        long now = System.nanoTime();
        pool.refresh(now);
        return InstanceView.of(instance, now, pool.settings().slowStart().toNanos());
    }

    private Pool pool(String name) {
        Pool pool = pools.find(name);
        if (pool == null) {
            throw ProblemException.notFound("pool", "the gateway knows no pool '" + name + "'");
        }
        return pool;
    }

    private static Instance instance(Pool pool, String id) {
        Instance instance = pool.member(id);
        if (instance == null) {
            throw ProblemException.notFound("instance", "pool '" + pool.name() + "' has no instance '" + id + "'");
        }
        return instance;
    }
}
