package dev.fleet.telemetry.sampling;

import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Targeted sampling ({@code fleet.telemetry.sampling.*}), configured here once and served to
 * reporters by {@code GET /sampling}: a rate (0–1, the share of events a reporter sends) per feature,
 * per feature set (a named group of feature patterns) and per capability, a default for the rest,
 * and a cap on events per minute per source that ingest enforces.
 */
@ConfigMapping(prefix = "fleet.telemetry.sampling")
public interface SamplingConfig {

    /** Share of events sent for features no rule names (1 = every event). */
    @WithDefault("1")
    double defaultRate();

    /** Rate per feature, by exact name: {@code fleet.telemetry.sampling.features."job.sleep"=0.1}. */
    Map<String, Double> features();

    /** Named groups of features sharing a rate: {@code feature-sets.jobs.features=job.*,queue.claim}. */
    Map<String, FeatureSet> featureSets();

    /** Rate per capability, for events whose {@code attributes.capability} names it (e.g. {@code browser}). */
    Map<String, Double> capabilities();

    /** Most samples one source may store per minute; the rest of that minute's samples are dropped (0 = no cap). */
    @WithDefault("60000")
    int perSourcePerMinute();

    /** A group of features: exact names or prefixes ending in {@code *}. */
    interface FeatureSet {

        List<String> features();

        @WithDefault("1")
        double rate();
    }
}
