package dev.fleet.scaler.capacity;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import dev.fleet.scaler.config.ScalerConfig;

/**
 * {@code POST /capacity-plan}: how many instances (and how much CPU, memory, disk) a load needs,
 * with the configured per-instance model unless the request overrides parts of it.
 */
@Path("/capacity-plan")
public class CapacityResource {

    /** {@code concurrentUsers} and {@code peakFactor} (default 1); the model fields override configuration. */
    public record PlanRequest(@NotNull @DecimalMin("0") @DecimalMax("100000000") Double concurrentUsers,
            @DecimalMin("1") @DecimalMax("1000") Double peakFactor, @Positive Double usersPerInstance,
            @Positive Double cpuPerInstance, @Positive Double memoryMibPerInstance, @Positive Double diskGibPerInstance,
            @DecimalMin("0") @DecimalMax("10") Double headroom) {
    }

    private final ScalerConfig.Capacity defaults;

    CapacityResource(ScalerConfig config) {
        this.defaults = config.capacity();
    }

    @POST
    public CapacityPlan plan(@Valid @NotNull PlanRequest request) {
        CapacityPlan.Model model = new CapacityPlan.Model(
                or(request.usersPerInstance(), defaults.usersPerInstance()),
                or(request.cpuPerInstance(), defaults.cpuPerInstance()),
                or(request.memoryMibPerInstance(), defaults.memoryMibPerInstance()),
                or(request.diskGibPerInstance(), defaults.diskGibPerInstance()),
                or(request.headroom(), defaults.headroom()));
        return CapacityPlan.of(request.concurrentUsers(), or(request.peakFactor(), 1.0), model);
    }

    private static double or(Double value, double fallback) {
        return value == null ? fallback : value;
    }
}
