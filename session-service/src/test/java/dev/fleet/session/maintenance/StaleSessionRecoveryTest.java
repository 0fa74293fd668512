package dev.fleet.session.maintenance;

import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runner;
import static dev.fleet.session.SessionApi.runningSession;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class StaleSessionRecoveryTest {

    @Inject
    MutableClock clock;

    @Inject
    StaleSessionRecovery recovery;

    @Inject
    Pool pool;

    @Test
    void sessionsOfARunnerSilentPastTheThresholdEndInErrorAndTheLiveOnesOnOthersStay() {
        String p = freshPool();
        TestRunner silent = register(p, 2);
        String running = runningSession(p, silent);
        String starting = createSession(p, Map.of()).getString("target");

        clock.advance(Duration.ofMinutes(9));
        TestRunner alive = register(p, 1);
        String elsewhere = runningSession(p, alive);
        recovery.runOnce().await().indefinitely();
        assertThat(session(running).getString("state")).isEqualTo("running");

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        alive.heartbeat(Map.of());
        assertThat(recovery.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(2);
        for (String id : new String[] { running, starting }) {
            assertThat(session(id).getString("state")).isEqualTo("error");
            assertThat(session(id).getString("stateReason")).isEqualTo("runner connection lost");
        }
        assertThat(session(elsewhere).getString("state")).isEqualTo("running");
        assertThat(runner(silent.id()).getInt("liveSessions")).isZero();
        assertThat(runner(silent.id()).getInt("failuresTotal")).isEqualTo(2);
    }

    @Test
    void onlyOneReplicaRecoversAtATime() {
        // Another replica holds the lock: this one skips its run.
        pool.withTransaction(tx -> tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
                .execute(Tuple.of(StaleSessionRecovery.LOCK))
                .chain(() -> recovery.runOnce())
                .invoke(result -> assertThat(result).isEqualTo(-1)))
                .await().indefinitely();
        assertThat(recovery.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(0);
    }
}
