package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Instance;
import dev.fleet.gateway.pool.Pool;
import dev.fleet.gateway.pool.Pools;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(MembershipTestProfile.class)
class ConfiguredUpstreamsTest {

    @Inject
    Pools pools;

    @Inject
    SessionServiceMembership membership;

    @Test
    void configuredUpstreamsAreInstancesOfTheirPoolWithTheirWeights() {
        Pool pool = pools.find(MembershipTestProfile.STATIC_POOL);

        assertThat(pool).isNotNull();
        assertThat(pool.members()).extracting(Instance::id)
                .containsExactlyInAnyOrder("127.0.0.1:9001", "127.0.0.1:9002");
        assertThat(pool.member("127.0.0.1:9001").reported().capacity()).isEqualTo(1.0);
        assertThat(pool.member("127.0.0.1:9002").reported().capacity()).isEqualTo(2.5);
        assertThat(pool.members()).extracting(Instance::source).containsOnly(ConfiguredUpstreams.SOURCE);
    }

    @Test
    void aSessionServiceSnapshotLeavesConfiguredUpstreamsAlone() throws Exception {
        // No runner of this pool in session-service: its snapshot must not touch the config source.
        Futures.join(membership.runOnce());

        assertThat(pools.find(MembershipTestProfile.STATIC_POOL).members()).hasSize(2);
    }
}
