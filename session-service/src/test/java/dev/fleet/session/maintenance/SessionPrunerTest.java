package dev.fleet.session.maintenance;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.act;
import static dev.fleet.session.SessionApi.as;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runningSession;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.session.MutableClock;
import dev.fleet.session.SessionApi.TestRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class SessionPrunerTest {

    @Inject
    MutableClock clock;

    @Inject
    SessionPruner pruner;

    @Inject
    Pool pool;

    @Test
    void anEndedSessionIsDeletedWithItsLogAndOperationsAfterRetentionAndALiveOneStays() {
        String p = freshPool();
        TestRunner r = register(p, 2);
        String ended = runningSession(p, r);
        String live = runningSession(p, r);
        // A log longer than one run deletes: 60,000 events.
        pool.preparedQuery("INSERT INTO session.session_events (session_id, seq, at, type, source)"
                + " SELECT $1, n, now(), 'log', 'system' FROM generate_series(1, 60000) n")
                .execute(Tuple.of(UUID.fromString(ended))).await().indefinitely();
        r.complete(act(ended, "stop").getString("id"));

        clock.advance(Duration.ofDays(7).plusMinutes(1));
        SessionPruner.PruneResult first = pruner.runOnce().await().indefinitely();
        assertThat(first.events()).isEqualTo(SessionPruner.EVENT_BATCH); // bounded work per run
        as(CLIENT).when().get("/sessions/" + ended).then().statusCode(200); // its log is not empty yet
        for (int run = 0; run < 20 && count("session.sessions WHERE id = $1", ended) > 0; run++) {
            pruner.runOnce().await().indefinitely();
        }
        as(CLIENT).when().get("/sessions/" + ended).then().statusCode(404);
        assertThat(count("session.session_events WHERE session_id = $1", ended)).isZero();
        assertThat(count("session.operations WHERE target = $1", ended)).isZero();
        as(CLIENT).when().get("/sessions/" + live).then().statusCode(200);
    }

    private long count(String from, String session) {
        return pool.preparedQuery("SELECT count(*) AS n FROM " + from).execute(Tuple.of(UUID.fromString(session)))
                .await().indefinitely().iterator().next().getLong("n");
    }
}
