package dev.fleet.queue.periodic;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.job.Priority;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Definitions declared under {@code fleet.queue.periodic.*} are upserted at start. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestProfile(PeriodicJobsConfigTest.WithPeriodicJobs.class)
class PeriodicJobsConfigTest {

    // The profile and the test are loaded by different class loaders, so a random suffix would
    // differ between them; the JVM's pid is the same for both and differs between runs.
    static final String SUFFIX = Long.toString(ProcessHandle.current().pid());
    static final String NIGHTLY = "cfg-nightly-" + SUFFIX;
    static final String DOTTED = "cfg.hourly-" + SUFFIX;
    static final String QUEUE = "q-cfg-" + SUFFIX;

    /** Starts the service with two configured definitions, one of them with a dotted (quoted) name. */
    public static class WithPeriodicJobs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String nightly = "fleet.queue.periodic." + NIGHTLY + ".";
            String dotted = "fleet.queue.periodic.\"" + DOTTED + "\".";
            return Map.ofEntries(
                    Map.entry(nightly + "queue", QUEUE),
                    Map.entry(nightly + "kind", "nightly-report"),
                    Map.entry(nightly + "cron", "30 2 * * *"),
                    Map.entry(nightly + "time-zone", "Europe/Berlin"),
                    Map.entry(nightly + "priority", "P5"),
                    Map.entry(nightly + "missed-policy", "run-once"),
                    Map.entry(nightly + "payload", "{\"full\": true, \"days\": [1, 2]}"),
                    Map.entry(dotted + "queue", QUEUE),
                    Map.entry(dotted + "kind", "hourly"),
                    Map.entry(dotted + "cron", "0 * * * *"));
        }
    }

    @Inject
    ConfiguredPeriodicJobs configured;

    @Inject
    PeriodicJobService service;

    @Inject
    QueueConfig queueConfig;

    @Inject
    ObjectMapper json;

    @Inject
    Pool pool;

    /** Config definitions live on in the shared test database otherwise, ticking for later runs. */
    @AfterAll
    void deleteDefinitions() {
        for (String name : new String[] { NIGHTLY, DOTTED }) {
            pool.preparedQuery("DELETE FROM queue.periodic_jobs WHERE name = $1").execute(Tuple.of(name))
                    .await().indefinitely();
        }
    }

    @Test
    void configuredDefinitionsAreRegisteredAtStartWithDefaults() {
        as(CLIENT).when().get("/periodic-jobs/" + NIGHTLY).then()
                .statusCode(200)
                .body("queue", equalTo(QUEUE))
                .body("kind", equalTo("nightly-report"))
                .body("cron", equalTo("30 2 * * *"))
                .body("timeZone", equalTo("Europe/Berlin"))
                .body("priority", equalTo("P5"))
                .body("missedPolicy", equalTo("run-once"))
                .body("payload.full", equalTo(true))
                .body("payload.days", equalTo(List.of(1, 2)))
                .body("enabled", equalTo(true))
                .body("nextTickAt", notNullValue());
        as(CLIENT).when().get("/periodic-jobs/" + DOTTED).then()
                .statusCode(200)
                .body("kind", equalTo("hourly"))
                .body("timeZone", equalTo("UTC"))
                .body("priority", equalTo("P3"))
                .body("missedPolicy", equalTo("skip"))
                .body("payload", equalTo(Map.of()));
    }

    @Test
    void registeringAgainLeavesUnchangedDefinitionsUntouched() {
        JsonPath before = as(CLIENT).when().get("/periodic-jobs/" + NIGHTLY).then().statusCode(200).extract().jsonPath();

        configured.register(new StartupEvent()); // what a restart, or another replica's start, does

        as(CLIENT).when().get("/periodic-jobs/" + NIGHTLY).then()
                .statusCode(200)
                .body("updatedAt", equalTo(before.getString("updatedAt")))
                .body("nextTickAt", equalTo(before.getString("nextTickAt")));
    }

    @Test
    void brokenDefinitionStopsTheStartNamingItsKey() {
        assertThatThrownBy(() -> withOne(definition("61 2 * * *", "UTC", "skip", Optional.empty())).definitions())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fleet.queue.periodic.broken.cron")
                .hasMessageContaining("Value 61 not in range [0, 59]");
        assertThatThrownBy(() -> withOne(definition("0 2 * * *", "Moon/Base", "skip", Optional.empty())).definitions())
                .hasMessageContaining("fleet.queue.periodic.broken.time-zone");
        assertThatThrownBy(() -> withOne(definition("0 2 * * *", "UTC", "sometimes", Optional.empty())).definitions())
                .hasMessageContaining("fleet.queue.periodic.broken.missed-policy");
        assertThatThrownBy(() -> withOne(definition("0 2 * * *", "UTC", "skip", Optional.of("{not json"))).definitions())
                .hasMessageContaining("fleet.queue.periodic.broken.payload");
        assertThat(withOne(definition("0 2 * * *", "UTC", "run-once", Optional.of("[1]"))).definitions())
                .singleElement()
                .satisfies(job -> {
                    assertThat(job.missedPolicy()).isEqualTo(MissedPolicy.RUN_ONCE);
                    assertThat(job.payloadJson()).isEqualTo("[1]");
                });
    }

    private ConfiguredPeriodicJobs withOne(PeriodicJobsConfig.Definition definition) {
        PeriodicJobsConfig config = () -> Map.of("broken", definition);
        return new ConfiguredPeriodicJobs(config, service, queueConfig, json);
    }

    private static PeriodicJobsConfig.Definition definition(String cron, String timeZone, String missedPolicy,
            Optional<String> payload) {
        return new PeriodicJobsConfig.Definition() {
            @Override
            public String queue() {
                return QUEUE;
            }

            @Override
            public String kind() {
                return "k";
            }

            @Override
            public String cron() {
                return cron;
            }

            @Override
            public String timeZone() {
                return timeZone;
            }

            @Override
            public Priority priority() {
                return Priority.P3;
            }

            @Override
            public String missedPolicy() {
                return missedPolicy;
            }

            @Override
            public Optional<String> payload() {
                return payload;
            }

            @Override
            public boolean enabled() {
                return true;
            }
        };
    }
}
