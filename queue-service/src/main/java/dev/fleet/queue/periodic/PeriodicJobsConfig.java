package dev.fleet.queue.periodic;

import java.util.Map;
import java.util.Optional;

import dev.fleet.queue.job.Priority;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Periodic jobs declared in configuration, {@code fleet.queue.periodic.<name>.*} (a name with dots
 * is quoted: {@code fleet.queue.periodic."nightly.report".cron}). Each replica upserts them at
 * start ({@link ConfiguredPeriodicJobs}), so config wins over an API change at the next restart.
 * Removing a definition from config does not delete it: use {@code DELETE /periodic-jobs/{name}}.
 * This mapping shares the {@code fleet.queue} prefix with {@code QueueConfig} and owns only the
 * {@code periodic} map beneath it.
 */
@ConfigMapping(prefix = "fleet.queue")
public interface PeriodicJobsConfig {

    /** Definitions by name. */
    Map<String, Definition> periodic();

    /** One definition; the same rules as the API's, refused at start with the key named if broken. */
    interface Definition {

        /** The queue its jobs go to (created on first use). */
        String queue();

        /** The jobs' kind. */
        String kind();

        /** Standard 5-field Unix cron, e.g. {@code 0 9 * * 1-5}. */
        String cron();

        /** IANA time zone the cron is read in. */
        @WithDefault("UTC")
        String timeZone();

        /** The jobs' priority, P0-P6. */
        @WithDefault("P3")
        Priority priority();

        /** {@code skip} or {@code run-once}. */
        @WithDefault("skip")
        String missedPolicy();

        /** The jobs' payload, as JSON text; {@code {}} when absent. */
        Optional<String> payload();

        /** A disabled definition enqueues nothing. */
        @WithDefault("true")
        boolean enabled();
    }
}
