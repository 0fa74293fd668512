package dev.fleet.scaler.engine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The scaler's meters: decisions by pool, kind and outcome; how long a round over every pool takes. */
@Singleton
public class ScalerMetrics {

    private final MeterRegistry meters;
    private final Timer rounds;
    private final AtomicInteger pools = new AtomicInteger();

    ScalerMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.rounds = Timer.builder("fleet.scaler.round").description("one evaluation of every pool")
                .publishPercentiles(0.5, 0.99).register(meters);
        meters.gauge("fleet.scaler.pools", pools);
    }

    void decision(String pool, String kind, String outcome) {
        Counter.builder("fleet.scaler.decisions").tag("pool", pool).tag("kind", kind).tag("outcome", outcome)
                .register(meters).increment();
    }

    void round(int pools, Duration took) {
        rounds.record(took);
        this.pools.set(pools);
    }
}
