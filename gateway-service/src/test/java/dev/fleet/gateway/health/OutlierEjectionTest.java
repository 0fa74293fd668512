package dev.fleet.gateway.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.pool.ReportedLoad;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Ejection inside the running gateway: ejection ends come from the pools' periodic refresh and the
 * latency sweep from its own timer (pools {@code ej} and {@code lat} of {@link ShortHealthIntervalsProfile}).
 */
@QuarkusTest
@TestProfile(ShortHealthIntervalsProfile.class)
class OutlierEjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long MS = 1_000_000;

    @Inject
    Pools pools;

    @Inject
    OutlierEjection ejection;

    private static List<Instance> members(Pool pool, int count) {
        List<Instance> instances = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < count; i++) {
            instances.add(new Instance(run + "-" + i, pool.name(), new Address("10.0.0." + (i + 1), 8080, false),
                    "config", ReportedLoad.ofCapacity(1), System.nanoTime()));
        }
        pool.replaceMembers("config", instances, System.nanoTime());
        return instances;
    }

    /** What the proxy does on each 5xx or connect failure. */
    private void fail(Pool pool, Instance instance, int times) {
        for (int i = 0; i < times; i++) {
            ejection.afterFailure(pool, instance, instance.recordConnectFailure(), "connection refused");
        }
    }

    @Test
    void consecutiveFailuresEjectAndTheInstanceReturnsInSlowStartWhenTheTimeIsUp() {
        Pool pool = pools.pool(ShortHealthIntervalsProfile.EJECTING);
        Instance failing = members(pool, 4).get(0);

        fail(pool, failing, 2);
        assertThat(failing.ejected()).isFalse();
        fail(pool, failing, 1);

        assertThat(failing.ejected()).isTrue();
        assertThat(failing.state()).isEqualTo("ejected");
        assertThat(pool.snapshot().byId(failing.id())).isNull();

        await().atMost(WAIT).until(() -> !failing.ejected()); // base-time 500ms, ended by the pools' refresh
        long now = System.nanoTime();
        assertThat(pool.snapshot().byId(failing.id())).isSameAs(failing);
        assertThat(failing.inSlowStart(now, pool.settings().slowStart().toNanos())).isTrue();
        assertThat(failing.consecutiveFailures()).isZero();
    }

    @Test
    void aRepeatedEjectionLastsLonger() {
        Pool pool = pools.pool(ShortHealthIntervalsProfile.EJECTING);
        Instance failing = members(pool, 4).get(0);
        long first = System.nanoTime();
        fail(pool, failing, 3);
        long firstDone = System.nanoTime();
        // base-time from the failure's own clock reading, wherever the scheduler paused this thread
        assertThat(failing.ejectedUntilNanos()).isBetween(first + 500 * MS, firstDone + 500 * MS);
        await().atMost(WAIT).until(() -> !failing.ejected());

        long second = System.nanoTime();
        fail(pool, failing, 3);
        long secondDone = System.nanoTime();

        assertThat(failing.ejected()).isTrue();
        assertThat(failing.ejectedUntilNanos()).as("2 × base-time").isBetween(second + 1000 * MS, secondDone + 1000 * MS);
    }

    @Test
    void neverEjectsMoreThanTheMaximumShareOfThePool() {
        Pool pool = pools.pool(ShortHealthIntervalsProfile.EJECTING);
        List<Instance> both = members(pool, 2);

        fail(pool, both.get(0), 3);
        fail(pool, both.get(1), 10);

        assertThat(both.get(0).ejected()).isTrue();
        assertThat(both.get(1).ejected()).as("max-percent=50 of 2 instances").isFalse();
        assertThat(pool.snapshot().byId(both.get(1).id())).isSameAs(both.get(1));
    }

    @Test
    void latencyOutlierIsEjectedBySweepsAndItsPeersAreNot() {
        Pool pool = pools.pool(ShortHealthIntervalsProfile.LATENCY);
        List<Instance> four = members(pool, 4);
        for (int i = 0; i < 3; i++) {
            four.get(i).recordOutcome(20 + i, false);
        }
        Instance slow = four.get(3);
        slow.recordOutcome(900, false);

        await().atMost(WAIT).until(slow::ejected); // latency-checks=3 sweeps, one each 200ms

        assertThat(slow.ejectionReason()).startsWith("latency");
        assertThat(four.subList(0, 3)).noneMatch(Instance::ejected);
        given().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("fleet_gateway_ejections_total{pool=\"lat\",reason=\"latency\"}"));
    }
}
