package dev.fleet.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Active checks of pool {@code hc} against real local upstreams, with the intervals of {@link ShortHealthIntervalsProfile}. */
@QuarkusTest
@TestProfile(ShortHealthIntervalsProfile.class)
class ActiveHealthChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Pools pools;

    @Inject
    ActiveHealthChecks checks;

    private TestUpstream upstream;
    private Pool pool;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new TestUpstream("checked");
        pool = pools.pool(ShortHealthIntervalsProfile.CHECKED);
    }

    @AfterEach
    void stopUpstream() throws Exception {
        pool.replaceMembers("config", List.of(), System.nanoTime());
        upstream.close();
    }

    private Instance join(int port) {
        Instance instance = new Instance("hc-" + UUID.randomUUID(), pool.name(), new Address("127.0.0.1", port, false),
                "config", ReportedLoad.ofCapacity(1), System.nanoTime());
        pool.replaceMembers("config", List.of(instance), System.nanoTime());
        return instance;
    }

    private static boolean fails(Instance instance, HealthLayer layer) {
        return (instance.failedLayers() & layer.bit()) != 0;
    }

    @Test
    void failingAppLayerMakesTheInstanceUnhealthyAfterItsFailuresAndHealthyAfterTheRecoverySuccesses() {
        Instance instance = join(upstream.port());
        await().atMost(WAIT).until(() -> upstream.requests("/health") >= 2);
        assertThat(instance.healthy()).isTrue();
        // the pick table is rebuilt on a timer and on changes: wait for it, do not assume it was rebuilt already
        await().atMost(WAIT).until(() -> pool.snapshot().byId(instance.id()) == instance);

        upstream.answerHealth(503, "{\"status\":\"DOWN\"}");
        long checksBeforeFailing = upstream.requests("/health");
        await().atMost(WAIT).until(() -> !instance.healthy());

        assertThat(upstream.requests("/health") - checksBeforeFailing).as("app-failures=2").isGreaterThanOrEqualTo(2);
        assertThat(instance.failedLayers()).isEqualTo(HealthLayer.APP.bit());
        assertThat(instance.healthReason()).startsWith("app: ").contains("503");
        assertThat(instance.state()).isEqualTo("unhealthy");
        await("out of the pick table").atMost(WAIT).until(() -> pool.snapshot().byId(instance.id()) == null);

        upstream.answerHealth(200, "{\"status\":\"ok\"}");
        long checksBeforeRecovering = upstream.requests("/health");
        await().atMost(WAIT).until(instance::healthy);

        assertThat(upstream.requests("/health") - checksBeforeRecovering).as("recovery-successes=2")
                .isGreaterThanOrEqualTo(2);
        assertThat(instance.healthReason()).isEmpty();
        await("back in the pick table").atMost(WAIT).until(() -> pool.snapshot().byId(instance.id()) == instance);
    }

    @Test
    void appLayerFailsWhenTheRunnerReportsItselfDown() {
        upstream.answerHealth(200, "{\"status\":\"DOWN\"}");
        Instance instance = join(upstream.port());

        await().atMost(WAIT).until(() -> fails(instance, HealthLayer.APP));

        assertThat(instance.healthReason()).contains("DOWN");
        assertThat(fails(instance, HealthLayer.TCP) || fails(instance, HealthLayer.HTTP)).isFalse();
    }

    @Test
    void answerSlowerThanTheTimeoutFailsTheLayer() {
        upstream.delayHealth(5_000); // app-timeout is 1 s
        Instance instance = join(upstream.port());

        await().atMost(WAIT).until(() -> fails(instance, HealthLayer.APP));

        assertThat(instance.healthReason()).contains("no answer within 1000 ms");
    }

    @Test
    void closedPortFailsTheTcpLayer() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Instance instance = join(closedPort);

        await().atMost(WAIT).until(() -> fails(instance, HealthLayer.TCP));

        assertThat(instance.healthy()).isFalse();
        assertThat(checks.layerFailed(instance, HealthLayer.TCP)).isTrue();
    }

    @Test
    void disabledLayerIsNeverChecked() {
        Instance instance = join(upstream.port());

        await().atMost(WAIT).until(() -> upstream.requests("/health") >= 3 && upstream.requests("/") >= 3);

        assertThat(upstream.requested()).as("deep-enabled=false").noneMatch(uri -> uri.contains("deep"));
        assertThat(instance.healthy()).isTrue();
    }

    @Test
    void instancesThatLeaveAreForgotten() {
        Instance leaving = join(upstream.port());
        await().atMost(WAIT).until(() -> checks.tracks(leaving));

        Instance staying = join(upstream.port());

        await().atMost(WAIT).until(() -> checks.tracks(staying) && !checks.tracks(leaving));
    }
}
