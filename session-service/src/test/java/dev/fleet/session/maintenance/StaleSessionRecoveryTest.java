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
    void aCreateThatDiedBetweenItsTwoStepsIsTakenBackOnceAbandonedAndAFreshOneIsLeftAlone() {
        String p = freshPool();
        TestRunner r = register(p, 5);
        // What the first step of a create leaves: the session on its runner, its slot taken, no operation yet.
        halfPlaced(p, r);
        clock.advance(Duration.ofMinutes(3));
        r.heartbeat(Map.of());
        String fresh = halfPlaced(p, r);
        assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(2);

        assertThat(recovery.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(1);
        // Only the fresh one is left.
        assertThat(pool.preparedQuery("SELECT id::text FROM session.sessions WHERE pool = $1").execute(Tuple.of(p))
                .await().indefinitely().iterator().next().getString(0)).isEqualTo(fresh);
        assertThat(runner(r.id()).getInt("liveSessions")).isEqualTo(1);
    }

    private String halfPlaced(String p, TestRunner r) {
        String id = java.util.UUID.randomUUID().toString();
        pool.withTransaction(tx -> tx.preparedQuery("UPDATE session.runners SET live_sessions = live_sessions + 1 WHERE id = $1::uuid")
                .execute(Tuple.of(r.id()))
                .chain(() -> tx.preparedQuery("INSERT INTO session.sessions (id, pool, owner, kind, state, runner_id, host,"
                        + " created_at, updated_at, auto_pause, idle_human_ms, idle_agent_ms, last_human_activity_at,"
                        + " last_agent_activity_at) VALUES ($1::uuid, $2, 'o', 'agent', 'starting', $3::uuid, $4, $5, $5, true,"
                        + " 0, 0, $5, $5)").execute(Tuple.of(id, p, r.id(), r.host(),
                                dev.fleet.platform.time.Timestamps.param(clock.instant())))))
                .await().indefinitely();
        return id;
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
