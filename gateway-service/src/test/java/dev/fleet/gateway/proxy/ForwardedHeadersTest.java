package dev.fleet.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

class ForwardedHeadersTest {

    @Test
    void newRequestIdsAreDistinctVersion4Uuids() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ForwardedHeaders.newRequestId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
    }

    @Test
    void hopByHopHeadersAndTheOnesConnectionNamesStayBehind() {
        MultiMap from = MultiMap.caseInsensitiveMultiMap().add("Connection", "keep-alive, X-Secret")
                .add("Keep-Alive", "timeout=5").add("Transfer-Encoding", "chunked").add("X-Secret", "s")
                .add("Accept", "a").add("Accept", "b").add("Upgrade", "h2c");
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.copyEndToEnd(from, to);
        assertThat(to.names()).containsExactly("Accept");
        assertThat(to.getAll("Accept")).containsExactly("a", "b");
    }
}
