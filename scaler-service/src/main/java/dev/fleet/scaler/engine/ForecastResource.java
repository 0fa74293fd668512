package dev.fleet.scaler.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.scaler.config.ScalerConfig;
import dev.fleet.scaler.input.SampleStore;
import dev.fleet.scaler.policy.PoolPolicy;
import dev.fleet.scaler.policy.Predictive;
import dev.fleet.scaler.policy.SeasonalForecast;
import dev.fleet.scaler.pool.PoolStore;
import io.smallrye.common.annotation.Blocking;

/**
 * {@code GET /pools/{pool}/forecast}: what the pool's forecast has learned (every slot's average
 * and sample count) and the peak it expects within the lead time, so an operator can check why
 * the scaler pre-scales.
 */
@Path("/pools/{pool}/forecast")
public class ForecastResource {

    private final PoolStore pools;
    private final SampleStore samples;
    private final ScalerConfig config;
    private final Clock clock;

    ForecastResource(PoolStore pools, SampleStore samples, ScalerConfig config, Clock clock) {
        this.pools = pools;
        this.samples = samples;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Blocking
    public Map<String, Object> forecast(@PathParam("pool") String name) {
        PoolPolicy policy = pools.find(name).await().atMost(Duration.ofSeconds(10))
                .orElseThrow(() -> ProblemException.notFound("pool", "No pool named '" + name + "'."))
                .spec().toPolicy(name);
        if (policy.predictive() == null) {
            throw ProblemException.conflict("no-forecast", "Pool " + name + " has no predictive policy;"
                    + " add policy.predictive to forecast it.");
        }
        Instant now = clock.instant();
        Predictive predictive = policy.predictive();
        SeasonalForecast forecast = Forecasts.learn(name, Forecasts.metricOf(policy), samples, config, now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("pool", name);
        view.put("metric", forecast.metric());
        view.put("season", forecast.season().toString());
        view.put("slot", forecast.slot().toString());
        view.put("leadTime", predictive.leadTime().toString());
        view.put("now", now.toString());
        view.put("currentSlot", forecast.slotOf(now));
        view.put("peakWithinLeadTime", finite(forecast.peak(now, now.plus(predictive.leadTime()))));
        List<Map<String, Object>> slots = forecast.slots().stream().map(slot -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("index", slot.index());
            s.put("start", slot.start().toString());
            s.put("samples", slot.samples());
            s.put("average", Double.isFinite(slot.average()) ? slot.average() : null);
            return s;
        }).toList();
        view.put("slots", slots);
        return view;
    }

    private static Double finite(java.util.OptionalDouble value) {
        return value.isPresent() && Double.isFinite(value.getAsDouble()) ? value.getAsDouble() : null;
    }
}
