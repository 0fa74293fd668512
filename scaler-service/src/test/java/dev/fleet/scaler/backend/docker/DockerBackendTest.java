package dev.fleet.scaler.backend.docker;

import static dev.fleet.scaler.ScalerApi.CLIENT;
import static dev.fleet.scaler.ScalerApi.sessions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.scaler.FleetServicesResource;
import dev.fleet.scaler.ScalerApi;
import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.input.FleetReads;
import dev.fleet.scaler.input.FleetReads.RunnerSeen;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The docker backend against a real Podman service (started by {@link PodmanServiceResource}) and
 * real reference runners in containers of the image {@code deploy/images/build} makes, registering
 * with the real session-service.
 */
@QuarkusTest
@WithTestResource(FleetServicesResource.class)
@WithTestResource(PodmanServiceResource.class)
class DockerBackendTest {

    private static final Duration RUNNER_START = Duration.ofSeconds(90);

    @Inject
    DockerBackend backend;
    @Inject
    DockerBackendConfig config;
    @Inject
    FleetReads fleet;
    @Inject
    ObjectMapper json;

    private BackendTarget target;

    @BeforeEach
    void podmanIsHere() {
        Assumptions.assumeTrue(PodmanServiceResource.missing == null, PodmanServiceResource.missing);
        target = runners(ScalerApi.freshPool(), Map.of());
    }

    @AfterEach
    void stopWhatTheTestStarted() {
        if (target != null && PodmanServiceResource.missing == null) {
            for (RunnerSeen runner : runnersOf(target.pool())) {
                sessionsOf(runner).forEach(id -> sessions(CLIENT).post("/sessions/" + id + "/stop"));
            }
            await().atMost(RUNNER_START).until(() -> backend.scaleTo(target, 0).running() == 0);
        }
    }

    @Test
    void scaleOutStartsRunnersThatRegisterAndScaleInSparesTheOneWithALiveSession() {
        BackendStatus two = backend.scaleTo(target, 2);
        assertThat(two.running()).isEqualTo(2);
        await().atMost(RUNNER_START).until(() -> runnersOf(target.pool()).size() == 2
                && backend.observe(target).ready() == 2);
        List<RunnerContainer> containers = backend.liveContainers(target.pool());
        assertThat(containers).extracting(RunnerContainer::index).containsExactlyInAnyOrder(0, 1);

        String session = sessions(CLIENT).body(Map.of("pool", target.pool(), "owner", "test", "kind", "agent",
                "waitForRunner", true))
                .post("/sessions").then().statusCode(202).extract().jsonPath().getString("target");
        await().atMost(RUNNER_START).until(() -> "running".equals(session(session).getString("state")));
        String busyRunner = session(session).getString("runnerId");
        String busyEndpoint = runnersOf(target.pool()).stream().filter(r -> r.id().equals(busyRunner)).findFirst()
                .orElseThrow().endpoint();

        // Asked for none, the backend stops only the idle runner; the busy one keeps its session.
        BackendStatus afterScaleIn = backend.scaleTo(target, 0);
        assertThat(afterScaleIn.running()).isEqualTo(1);
        assertThat(afterScaleIn.desired()).isZero();
        assertThat(backend.liveContainers(target.pool())).singleElement()
                .satisfies(c -> assertThat(busyEndpoint).endsWith(":" + c.port()));
        assertThat(session(session).getString("state")).isEqualTo("running");
        await().atMost(RUNNER_START).until(() -> runnersOf(target.pool()).size() == 1);

        // Once the session has ended, the runner is idle and goes too, gracefully (it deregisters).
        sessions(CLIENT).post("/sessions/" + session + "/stop").then().statusCode(202);
        await().atMost(RUNNER_START).until(() -> !List.of("starting", "running", "stopping")
                .contains(session(session).getString("state")));
        await().atMost(RUNNER_START).until(() -> backend.scaleTo(target, 0).running() == 0);
        await().atMost(RUNNER_START).until(() -> runnersOf(target.pool()).isEmpty());
    }

    @Test
    void aRestartedScalerAdoptsItsContainersAndAnEmergencyReplacesThemAll() {
        backend.scaleTo(target, 1);
        RunnerContainer first = backend.liveContainers(target.pool()).getFirst();

        DockerBackend restarted = new DockerBackend(config, fleet, json);
        assertThat(restarted.liveContainers(target.pool())).containsExactly(first);
        assertThat(restarted.scaleTo(target, 1).running()).isEqualTo(1);
        assertThat(restarted.liveContainers(target.pool())).containsExactly(first);

        BackendStatus replaced = restarted.replaceAll(target);
        assertThat(replaced.running()).isEqualTo(1);
        RunnerContainer fresh = backend.liveContainers(target.pool()).getFirst();
        assertThat(fresh.id()).isNotEqualTo(first.id());
        assertThat(fresh.index()).isNotEqualTo(first.index());
    }

    @Test
    void aContainerThatExitsAtOnceFailsItsStartWithTheEndOfItsLog() {
        BackendTarget broken = runners(target.pool(), Map.of("env.FLEET_RUNNER_TOKEN", ""));
        assertThatThrownBy(() -> backend.scaleTo(broken, 1))
                .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("exited with status").hasMessageContaining("--token (or FLEET_RUNNER_TOKEN)");
        assertThat(backend.liveContainers(target.pool())).isEmpty();
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertInvalid(Map.of(), "backend.settings.image");
        assertInvalid(Map.of("image", "localhost/fleet/no-such-image:1"), "backend.settings.image");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "memory", "2 lots"), "backend.settings.memory");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "cpus", "0"), "backend.settings.cpus");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "network", "no such"), "backend.settings.network");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "env.1BAD", "x"), "backend.settings.env.1BAD");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "label.dev.fleet.pool", "x"),
                "backend.settings.label.dev.fleet.pool");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "command", "--pool {nope}"),
                "backend.settings.command");
        assertInvalid(Map.of("image", PodmanServiceResource.RUNNER_IMAGE, "colour", "red"), "backend.settings.colour");
        backend.validate(runners(target.pool(), Map.of("cpus", "0.5", "memory", "256m")).settings());
    }

    private void assertInvalid(Map<String, String> settings, String field) {
        assertThatThrownBy(() -> backend.validate(settings)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }

    /** Reference runners of the image, pointed at the test's queue- and session-service. */
    private static BackendTarget runners(String pool, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("image", PodmanServiceResource.RUNNER_IMAGE,
                "env.FLEET_QUEUE_URL", FleetServicesResource.queueUrl, "env.FLEET_SESSION_URL",
                FleetServicesResource.sessionUrl, "env.FLEET_TELEMETRY_URL", "none", "env.FLEET_RUNNER_CLAIM_WAIT",
                "1s", "env.FLEET_RUNNER_GRACE", "5s", "env.JAVA_TOOL_OPTIONS", "-Xmx96m", "grace", "15s"));
        settings.putAll(extra);
        return new BackendTarget(pool, pool, settings);
    }

    private List<RunnerSeen> runnersOf(String pool) {
        try {
            return fleet.runners(pool);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> sessionsOf(RunnerSeen runner) {
        return sessions(CLIENT).queryParam("runner", runner.id()).get("/sessions").then().extract().jsonPath()
                .getList("sessions.findAll { it.state in ['pending', 'starting', 'running', 'paused'] }.id");
    }

    private static JsonPath session(String id) {
        return sessions(CLIENT).get("/sessions/" + id).then().statusCode(200).extract().jsonPath();
    }
}
