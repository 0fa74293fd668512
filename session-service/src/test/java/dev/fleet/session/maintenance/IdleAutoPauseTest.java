package dev.fleet.session.maintenance;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runningSession;
import static dev.fleet.session.SessionApi.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusTest;

/** Idle auto-pause end to end: events over HTTP, the sweep's runOnce, a clock the test advances. */
@QuarkusTest
class IdleAutoPauseTest {

    @Inject
    MutableClock clock;

    @Inject
    IdlePauser pauser;

    @Test
    void anIdleSessionPausesItselfAndSustainedActivityResumesIt() {
        String pool = freshPool();
        TestRunner r = register(pool, 1);
        String id = runningSession(pool, r);

        clock.advance(Duration.ofSeconds(170));
        pauser.runOnce().await().indefinitely();
        assertThat(r.openOperations()).isEmpty();
        activity(id, "agent");

        clock.advance(Duration.ofSeconds(179));
        pauser.runOnce().await().indefinitely();
        assertThat(r.openOperations()).isEmpty(); // the agent was active 179 s ago
        clock.advance(Duration.ofSeconds(2));
        pauser.runOnce().await().indefinitely();
        List<Map<String, Object>> ops = r.openOperations();
        assertThat(ops).extracting(op -> op.get("kind")).containsExactly("pause");
        assertThat(ops.get(0)).extractingByKey("metadata").asString().contains("auto=true");
        r.complete((String) ops.get(0).get("id"));
        assertThat(session(id).getString("state")).isEqualTo("paused");
        assertThat(session(id).getBoolean("autoPaused")).isTrue();

        // A flicker of input does not resume it...
        activity(id, "human");
        clock.advance(Duration.ofSeconds(5));
        activity(id, "human");
        pauser.runOnce().await().indefinitely();
        assertThat(r.openOperations()).isEmpty();
        // ...11 s of activity, but the pause is only 11 s old (minimum 15 s)...
        clock.advance(Duration.ofSeconds(6));
        activity(id, "human");
        pauser.runOnce().await().indefinitely();
        assertThat(r.openOperations()).isEmpty();
        // ...15 s of ongoing activity and a 15 s pause: it resumes.
        clock.advance(Duration.ofSeconds(4));
        activity(id, "human");
        pauser.runOnce().await().indefinitely();
        ops = r.openOperations();
        assertThat(ops).extracting(op -> op.get("kind")).containsExactly("resume");
        r.complete((String) ops.get(0).get("id"));
        assertThat(session(id).getString("state")).isEqualTo("running");
        assertThat(session(id).getBoolean("autoPaused")).isFalse();
    }

    @Test
    void systemEventsAreNotActivityAndAutoPauseCanBeTurnedOff() {
        String pool = freshPool();
        TestRunner r = register(pool, 2);
        String watched = runningSession(pool, r);
        String start = dev.fleet.session.SessionApi.createSession(pool, Map.of("autoPause", false)).getString("id");
        r.complete(start);
        clock.advance(Duration.ofSeconds(100));
        activity(watched, "system");
        clock.advance(Duration.ofSeconds(81));
        pauser.runOnce().await().indefinitely();
        assertThat(r.openOperations()).extracting(op -> op.get("kind")).containsExactly("pause");
    }

    private static void activity(String session, String source) {
        as(CLIENT).body(Map.of("events", List.of(Map.of("type", "input", "source", source))))
                .when().post("/sessions/" + session + "/events").then().statusCode(201);
    }
}
