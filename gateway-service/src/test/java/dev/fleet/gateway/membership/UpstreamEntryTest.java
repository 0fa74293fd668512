package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.fleet.gateway.pool.Address;
import dev.fleet.gateway.pool.Instance;

class UpstreamEntryTest {

    @Nested
    class Parse {

        @Test
        void anAddressAloneHasWeightOne() {
            UpstreamEntry entry = UpstreamEntry.parse("http://10.0.0.5:8080");

            assertThat(entry.address()).isEqualTo(new Address("10.0.0.5", 8080, false));
            assertThat(entry.weight()).isEqualTo(1.0);
            assertThat(entry.id()).isEqualTo("10.0.0.5:8080");
        }

        @Test
        void aWeightOptionSetsTheCapacity() {
            UpstreamEntry entry = UpstreamEntry.parse(" http://runner-a:9000 ; weight=2.5 ");

            assertThat(entry.address()).isEqualTo(new Address("runner-a", 9000, false));
            assertThat(entry.weight()).isEqualTo(2.5);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "http://", "ftp://host:21", "http://host:80/path", "http://host:80?x=1",
                "http://user@host:80", "http://host:99999", "http://host:80;weight=0", "http://host:80;weight=-1",
                "http://host:80;weight=abc", "http://host:80;weight=Infinity", "http://host:80;color=red",
                "http://host:80;", "http://ho st:80"})
        void rejectsAMalformedEntry(String text) {
            assertThatThrownBy(() -> UpstreamEntry.parse(text)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class InstancesOfAPool {

        @Test
        void becomeConfigInstancesWithTheirWeights() {
            List<Instance> instances = ConfiguredUpstreams.instancesOf("web",
                    List.of("http://a:1", "http://b:2;weight=3"), 0);

            assertThat(instances).extracting(Instance::id).containsExactly("a:1", "b:2");
            assertThat(instances).extracting(instance -> instance.reported().capacity()).containsExactly(1.0, 3.0);
            assertThat(instances).extracting(Instance::source).containsOnly("config");
            assertThat(instances).extracting(Instance::pool).containsOnly("web");
        }

        @Test
        void aMalformedEntryIsReportedWithItsKey() {
            assertThatThrownBy(() -> ConfiguredUpstreams.instancesOf("web", List.of("http://a:1", "http://b:2;wieght=3"), 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("fleet.gateway.pools.web.upstreams: ")
                    .hasMessageContaining("wieght=3");
        }

        @Test
        void anUpstreamListedTwiceIsRejected() {
            assertThatThrownBy(() -> ConfiguredUpstreams.instancesOf("web", List.of("http://a:1", "http://a:1;weight=2"), 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fleet.gateway.pools.web.upstreams").hasMessageContaining("twice");
        }
    }
}
