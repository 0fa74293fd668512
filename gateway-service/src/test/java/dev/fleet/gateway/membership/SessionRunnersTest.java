package dev.fleet.gateway.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.gateway.membership.SessionServiceApi.Runner;
import dev.fleet.gateway.testing.SiblingServiceResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Future;

@QuarkusTest
@TestProfile(MembershipTestProfile.class)
class SessionRunnersTest {

    @Inject
    SessionRunners sessionRunners;

    @Test
    void aSessionsRunnerIsTheOneSessionServicePlacedItOn() throws Exception {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 1);
        String session = SessionServiceApi.createSession(runner.pool());

        assertThat(Futures.join(sessionRunners.runnerOf(session))).isEqualTo(runner.id());
    }

    @Test
    void anUnknownSessionHasNoRunner() throws Exception {
        assertThat(Futures.join(sessionRunners.runnerOf(UUID.randomUUID().toString()))).isNull();
        assertThat(Futures.join(sessionRunners.runnerOf("not a session/id"))).isNull();
    }

    @Test
    void concurrentLookupsOfOneSessionShareARequestAndTheAnswerIsRemembered() throws Exception {
        Runner runner = SessionServiceApi.register(SessionServiceApi.randomPool(), 1);
        String session = SessionServiceApi.createSession(runner.pool());

        Future<String> first = sessionRunners.runnerOf(session);
        Future<String> second = sessionRunners.runnerOf(session);
        assertThat(second).isSameAs(first);
        Futures.join(first);

        SiblingServiceResource.of("session-service").kill();
        try {
            // Answered from the cache: session-service is not asked.
            assertThat(Futures.join(sessionRunners.runnerOf(session))).isEqualTo(runner.id());
        } finally {
            SiblingServiceResource.of("session-service").start();
        }
    }
}
