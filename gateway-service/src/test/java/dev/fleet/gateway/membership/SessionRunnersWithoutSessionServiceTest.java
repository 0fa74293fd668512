package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

class SessionRunnersWithoutSessionServiceTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    @Test
    void aLookupFailsSayingWhatToConfigure() {
        SessionRunners runners = new SessionRunners(new SessionServiceClient(Optional.empty(), "", vertx),
                Duration.ofSeconds(30), 10);

        Future<String> lookup = runners.runnerOf("any");

        assertThat(lookup.failed()).isTrue();
        assertThat(lookup.cause()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("fleet.gateway.session-url");
    }
}
