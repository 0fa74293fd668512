package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import jakarta.inject.Inject;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.fleet.gateway.membership.SessionServiceApi.Runner;
import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import dev.fleet.gateway.testing.SiblingServiceResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(MembershipTestProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionServiceMembershipTest {

    /**
     * NOTIFY → one pool read. Generous for a loaded machine, and still far below the profile's 1 h
     * membership refresh, so only the NOTIFY path can meet it (how fast it is belongs in a benchmark).
     */
    private static final Duration NOTIFY_PATH = Duration.ofSeconds(30);

    @Inject
    Pools pools;

    @Inject
    SessionServiceMembership membership;

    @Test
    void aRegisteredRunnerJoinsItsPoolThroughNotify() {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 2);

        Instance instance = awaitMember(runner);

        assertThat(instance.address()).isEqualTo(Address.parse(runner.endpoint()));
        assertThat(instance.source()).isEqualTo(SessionServiceMembership.SOURCE);
        assertThat(instance.reported()).isEqualTo(ReportedLoad.ofCapacity(2));
        assertThat(instance.draining()).isFalse();
    }

    @Test
    void aHeartbeatsLoadArrivesWithTheNextSnapshot() throws Exception {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 3);
        awaitMember(runner);

        SessionServiceApi.heartbeat(runner, Map.of("cpuPercent", 40, "memoryPercent", 20.5, "activeConnections", 3,
                "avgResponseMs", 120, "avgThinkingMs", 800));
        Futures.join(membership.runOnce());

        assertThat(pools.find(runner.pool()).member(runner.id()).reported())
                .isEqualTo(new ReportedLoad(3, 40, 20.5, 120, 3, 800));
    }

    @Test
    void aDeregisteredRunnerLeavesWithoutWaitingForASnapshot() {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 1);
        awaitMember(runner);

        SessionServiceApi.deregister(runner);

        await().atMost(NOTIFY_PATH).until(() -> pools.find(runner.pool()).member(runner.id()) == null);
        assertThat(pools.find(runner.pool()).members()).isEmpty();
    }

    @Test
    void aDrainingRunnerIsMarkedDraining() {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 1);
        Instance instance = awaitMember(runner);

        SessionServiceApi.drain(runner);

        await().atMost(NOTIFY_PATH).until(instance::draining);
        assertThat(instance.usable()).isFalse();
    }

    @Test
    void anUnhealthyRunnerIsLeftOutButItsNeighboursStay() {
        String pool = SessionServiceApi.randomPool();
        Runner sick = SessionServiceApi.register(pool, 1);
        Runner well = SessionServiceApi.register(pool, 1);
        awaitMember(sick);
        awaitMember(well);

        SessionServiceApi.heartbeat(sick, Map.of("healthy", false));

        await().atMost(NOTIFY_PATH).until(() -> pools.find(pool).member(sick.id()) == null);
        assertThat(pools.find(pool).member(well.id())).isNotNull();
    }

    @Test
    @Order(Integer.MAX_VALUE) // stops session-service for a while
    void anUnreachableSessionServiceKeepsTheLastMembership() throws Exception {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 1);
        awaitMember(runner);
        Futures.join(membership.runOnce());
        MembershipStatus before = membership.status();
        assertThat(before.reachable()).isTrue();

        SiblingServiceResource.of("session-service").kill();
        try {
            // read after the kill: a periodic read may have succeeded since "before" (a busy machine)
            Instant lastRead = membership.status().lastReadAt();
            assertThatThrownBy(() -> Futures.join(membership.runOnce())).isInstanceOf(ExecutionException.class);

            assertThat(pools.find(runner.pool()).member(runner.id())).isNotNull();
            MembershipStatus down = membership.status();
            assertThat(down.reachable()).isFalse();
            assertThat(down.lastError()).isNotBlank();
            assertThat(down.lastErrorAt()).isNotNull();
            assertThat(down.lastReadAt()).as("a failed read leaves the last good one").isEqualTo(lastRead);
        } finally {
            SiblingServiceResource.of("session-service").start();
        }
        // A restart can take longer than the runner's heartbeat window on a busy machine: it beats again,
        // as a live runner would, so the read below still finds it healthy.
        SessionServiceApi.heartbeat(runner, Map.of());

        Futures.join(membership.runOnce());
        assertThat(membership.status().reachable()).isTrue();
        assertThat(membership.status().lastReadAt()).isAfter(before.lastReadAt());
        assertThat(pools.find(runner.pool()).member(runner.id())).isNotNull();
    }

    private Instance awaitMember(Runner runner) {
        await().atMost(NOTIFY_PATH).until(() -> {
            Pool pool = pools.find(runner.pool());
            return pool != null && pool.member(runner.id()) != null;
        });
        return pools.find(runner.pool()).member(runner.id());
    }
}
