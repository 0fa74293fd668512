package dev.fleet.session;

import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runningSession;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.platform.process.ServiceProcess;
import dev.fleet.session.SessionApi.TestRunner;
import io.restassured.RestAssured;

/**
 * The packaged service with its scheduler on, as in production: the sweeps that tests otherwise
 * drive by hand run on their own (short windows so the test is quick), and none of them logs an
 * error while they do.
 */
class SessionSchedulerIT {

    @Test
    void theScheduledSweepsEndOverdueStartsAndPauseIdleSessionsWithoutErrors() throws Exception {
        try (ServiceProcess service = new ServiceProcess("-Dfleet.session.operations.timeouts.start=5s",
                "-Dfleet.session.idle.human-after=2s", "-Dfleet.session.idle.agent-after=2s",
                "-Dfleet.session.recovery-interval=1s", "-Dfleet.session.metrics-interval=1s").start()) {
            RestAssured.port = service.port();
            String pool = freshPool();
            TestRunner r = register(pool, 2);

            String unconfirmed = createSession(pool, Map.of()).getString("target");
            String idle = runningSession(pool, r);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                r.heartbeat(Map.of());
                assertThat(session(unconfirmed).getString("state")).isEqualTo("error");
                assertThat(r.openOperations()).extracting(op -> op.get("kind")).contains("pause");
            });
            assertThat(session(unconfirmed).getString("stateReason")).isEqualTo("start failed: start did not finish within 5000 ms");
            assertThat(session(idle).getString("state")).isEqualTo("running");
            // A quiet period on purpose: let every 1 s sweep run a few more times, then read what the
            // service logged. A slow machine runs fewer sweeps in it, so this can miss an error but
            // never fail without one.
            Thread.sleep(3000);
            assertThat(service.logText()).doesNotContain(" ERROR ");
        } finally {
            RestAssured.reset();
        }
    }
}
