package dev.fleet.scaler.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.fleet.scaler.config.ScalerConfig;
import dev.fleet.scaler.input.SampleStore;
import dev.fleet.scaler.policy.PoolPolicy;
import dev.fleet.scaler.policy.Predictive;
import dev.fleet.scaler.policy.Sample;
import dev.fleet.scaler.policy.SeasonalForecast;

/** Learning a pool's forecast from its stored samples. */
public final class Forecasts {

    /** The stored metric a jobs-per-instance forecast learns: jobs waiting plus jobs running. */
    public static final String DEMAND = "demand";
    /** Samples arrive once a minute and slots are an hour: relearning more often changes nothing. */
    static final Duration RELEARN_AFTER = Duration.ofMinutes(10);

    private Forecasts() {
    }

    /** The metric the policy's forecast is about. */
    public static String metricOf(PoolPolicy policy) {
        return policy.predictive().formula() == Predictive.Formula.JOBS_PER_INSTANCE ? DEMAND
                : policy.targetTracking().metric();
    }

    /** Learns from every stored sample of the metric (the retention bounds them). */
    public static SeasonalForecast learn(String pool, String metric, SampleStore samples, ScalerConfig config,
            Instant now) {
        List<Sample> history = samples.history(pool, metric, now.minus(config.sampleRetention()))
                .await().atMost(Duration.ofSeconds(30));
        return SeasonalForecast.learn(metric, history);
    }

    /** The pool's forecast for the evaluator, or null without a predictive policy; relearned every few minutes. */
    static SeasonalForecast current(PoolMemory m, PoolPolicy policy, String pool, SampleStore samples,
            ScalerConfig config, Instant now) {
        if (policy.predictive() == null) {
            return null;
        }
        if (m.forecast == null || m.forecastLearnedAt.plus(RELEARN_AFTER).isBefore(now)
                || !m.forecast.metric().equals(metricOf(policy))) {
            m.forecast = learn(pool, metricOf(policy), samples, config, now);
            m.forecastLearnedAt = now;
        }
        return m.forecast;
    }
}
