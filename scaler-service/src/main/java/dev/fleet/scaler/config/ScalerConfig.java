package dev.fleet.scaler.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** scaler-service settings ({@code fleet.scaler.*}, env {@code FLEET_SCALER_*}). */
@ConfigMapping(prefix = "fleet.scaler")
public interface ScalerConfig {

    /** queue-service, read for queue depth and jobs in flight. */
    @WithDefault("http://127.0.0.1:8081")
    URI queueUrl();

    /** session-service, read for the pools' runners (health, CPU, sessions). */
    @WithDefault("http://127.0.0.1:8082")
    URI sessionUrl();

    /** Bearer token for those reads; default: the first of {@code fleet.auth.admin-tokens}. */
    Optional<String> token();

    /** How long one read of queue- or session-service may take. */
    @WithDefault("2s")
    Duration inputTimeout();

    /** Every pool is evaluated this often (duration rules need it); NOTIFY events add evaluations in between. */
    @WithDefault("5s")
    Duration evaluationInterval();

    /** How often a replica that is not the leader tries to become it (and the leader checks it still is). */
    @WithDefault("1s")
    Duration leaderCheckInterval();

    /** One stored sample per pool and metric this often, for forecasts (the in-memory history is finer). */
    @WithDefault("1m")
    Duration sampleInterval();

    /** Stored samples are kept this long (a weekly forecast wants several weeks). */
    @WithDefault("28d")
    Duration sampleRetention();

    /** Scaling events are kept this long. */
    @WithDefault("30d")
    Duration eventRetention();

    /** Largest page of scaling events. */
    @WithDefault("1000")
    int maxEventsPerQuery();

    /** Pools defined in configuration ({@code fleet.scaler.pools.<name>.*}); the API cannot change or delete them. */
    Map<String, ConfiguredPool> pools();

    /** Per-instance requirements for the capacity planner. */
    Capacity capacity();

    interface ConfiguredPool {

        @WithDefault("0")
        int min();

        int max();

        /** The queue its runners work; default: the pool's name. */
        Optional<String> queue();

        @WithDefault("process")
        String backend();

        /** Backend settings, e.g. {@code fleet.scaler.pools.browser.settings.command=...}. */
        Map<String, String> settings();

        /** With it, the pool also scales on queue depth: {@code ceil((waiting + in flight) / jobs-per-instance)}. */
        Optional<Double> jobsPerInstance();

        @WithDefault("false")
        boolean dryRun();
    }

    interface Capacity {

        /** Concurrent users one instance serves. */
        @WithDefault("10")
        double usersPerInstance();

        /** CPU cores one instance needs. */
        @WithDefault("1")
        double cpuPerInstance();

        /** Memory one instance needs, in MiB. */
        @WithDefault("2048")
        double memoryMibPerInstance();

        /** Disk one instance needs, in GiB. */
        @WithDefault("10")
        double diskGibPerInstance();

        /** Extra share kept free on top of the peak (0.2 = 20 %). */
        @WithDefault("0.2")
        double headroom();
    }
}
