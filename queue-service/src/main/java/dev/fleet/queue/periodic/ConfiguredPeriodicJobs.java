package dev.fleet.queue.periodic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.queue.config.QueueConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Upserts the periodic jobs declared under {@code fleet.queue.periodic.*} when the service starts.
 * Every replica does it; an unchanged definition is left untouched, so restarts neither move a
 * schedule nor disturb an enqueuer. A broken definition stops the start with its config key
 * named: a typo in a cron should fail loudly, not leave a job silently never running.
 */
@Singleton
public class ConfiguredPeriodicJobs {

    private static final Logger LOG = Logger.getLogger(ConfiguredPeriodicJobs.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final PeriodicJobsConfig config;
    private final PeriodicJobService service;
    private final QueueConfig queueConfig;
    private final ObjectMapper json;

    ConfiguredPeriodicJobs(PeriodicJobsConfig config, PeriodicJobService service, QueueConfig queueConfig,
            ObjectMapper json) {
        this.config = config;
        this.service = service;
        this.queueConfig = queueConfig;
        this.json = json;
    }

    void register(@Observes StartupEvent event) {
        List<PeriodicJob> definitions = definitions();
        if (definitions.isEmpty()) {
            return;
        }
        Multi.createFrom().iterable(definitions).onItem().transformToUniAndConcatenate(service::store)
                .collect().asList().await().atMost(STARTUP_TIMEOUT);
        LOG.infof("Registered %d periodic job(s) from configuration", definitions.size());
    }

    /** The configured definitions, validated. */
    List<PeriodicJob> definitions() {
        List<PeriodicJob> definitions = new ArrayList<>();
        for (Map.Entry<String, PeriodicJobsConfig.Definition> entry : config.periodic().entrySet()) {
            String name = entry.getKey();
            PeriodicJobsConfig.Definition d = entry.getValue();
            try {
                definitions.add(PeriodicJob.validate(name, d.queue(), d.kind(), payload(d), d.priority(), d.cron(),
                        d.timeZone(), missedPolicy(d.missedPolicy()), d.enabled(), queueConfig.maxPayloadBytes()));
            } catch (ProblemException e) {
                Object field = e.extensions().get("field");
                throw new IllegalStateException("Invalid periodic job in configuration, key " + key(name, field)
                        + ": " + e.getMessage(), e);
            }
        }
        return definitions;
    }

    private String payload(PeriodicJobsConfig.Definition d) {
        if (d.payload().isEmpty()) {
            return null;
        }
        try {
            return json.readTree(d.payload().get()).toString();
        } catch (JsonProcessingException e) {
            throw ProblemException.invalidField("payload", "The payload is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static MissedPolicy missedPolicy(String value) {
        try {
            return MissedPolicy.fromValue(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField("missedPolicy", "missed-policy is 'skip' or 'run-once', not '" + value + "'.");
        }
    }

    /** The config key a problem's field names: {@code timeZone} is {@code time-zone} in config. */
    private static String key(String name, Object field) {
        String prefix = "fleet.queue.periodic." + (name.contains(".") ? '"' + name + '"' : name);
        if (field == null || "name".equals(field)) {
            return prefix;
        }
        return prefix + "." + field.toString().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
