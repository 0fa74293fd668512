package dev.fleet.queue.maintenance;

import static dev.fleet.queue.QueueApi.RUNNER;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.configure;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.job;
import static dev.fleet.queue.QueueApi.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.QueueApi;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class MaintenanceTest {

    @Inject
    JobRescuer rescuer;

    @Inject
    JobAger ager;

    @Inject
    JobReaper reaper;

    @Inject
    Pool pool;

    @Test
    void jobOfARunnerThatStoppedHeartbeatingIsRedeliveredAfterItsLease() {
        String queue = freshQueue();
        configure(queue, Map.of("leaseMs", 200));
        long id = enqueue(queue, "k");
        Map<String, Object> lost = claim(queue, 1).get(0);

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            rescuer.runOnce().await().indefinitely();
            return job(id).getString("state").equals("available");
        });

        assertThat(job(id).getList("errors.error")).containsExactly("lease expired");
        Map<String, Object> again = claim(queue, 1).get(0);
        assertThat(again.get("attempt")).isEqualTo(2);
        // The first runner comes back too late: its completion is refused and changes nothing.
        as(RUNNER).body(Map.of("leaseToken", token(lost))).when().post("/jobs/" + id + "/complete")
                .then().statusCode(409);
        as(RUNNER).body(Map.of("leaseToken", token(again))).when().post("/jobs/" + id + "/complete")
                .then().statusCode(200).body("state", equalTo("succeeded"));
    }

    @Test
    void expiredLeaseWithNoAttemptsLeftGoesDead() {
        String queue = freshQueue();
        configure(queue, Map.of("leaseMs", 200, "maxAttempts", 1));
        long id = enqueue(queue, "k");
        claim(queue, 1);

        await().atMost(Duration.ofSeconds(30)).until(() -> rescuer.runOnce().await().indefinitely().discarded() > 0
                || job(id).getString("state").equals("dead"));

        assertThat(job(id).getString("deadReason")).isEqualTo("max-attempts");
    }

    @Test
    void jobNotStartedWithinItsTtlGoesDeadAsExpired() {
        String queue = freshQueue();
        long id = enqueue(queue, "k");
        setColumn(id, "expires_at = now() - interval '1 second'");

        assertThat(claim(queue, 1)).as("an expired job is never started").isEmpty();
        rescuer.runOnce().await().indefinitely();

        var dead = job(id);
        assertThat(dead.getString("state")).isEqualTo("dead");
        assertThat(dead.getString("deadReason")).isEqualTo("expired");
    }

    @Test
    void longWaitingLowPriorityJobAgesAheadOfFreshUrgentWork() {
        String queue = freshQueue();
        long background = enqueue(queue, Map.of("kind", "k", "priority", "P1"));
        setColumn(background, "run_at = now() - interval '6 minutes'");
        long urgent = enqueue(queue, Map.of("kind", "k", "priority", "P0"));

        // Other tests' leftovers may be waiting too: age until a pass has nothing more to do.
        while (ager.runOnce().await().indefinitely() == JobScheduler.BATCH) {
            continue;
        }

        assertThat(job(background).getString("priority")).isEqualTo("P0");
        assertThat(job(background).getString("basePriority")).isEqualTo("P1");
        assertThat(claim(queue, 2)).extracting(QueueApi::id).containsExactly(background, urgent);
    }

    @Test
    void finishedJobsPastRetentionAreDeletedLiveOnesKept() {
        String queue = freshQueue();
        long old = enqueue(queue, "k");
        long live = enqueue(queue, "k");
        as(QueueApi.CLIENT).when().post("/jobs/" + old + "/cancel").then().statusCode(200);
        setColumn(old, "finished_at = now() - interval '25 hours'");

        assertThat(reaper.runOnce().await().indefinitely()).isGreaterThanOrEqualTo(1L);

        as(QueueApi.CLIENT).when().get("/jobs/" + old).then().statusCode(404);
        assertThat(job(live).getString("state")).isEqualTo("available");
    }

    /** Moves a job in time, as waiting would; the logic under test reads PostgreSQL's clock. */
    private void setColumn(long id, String assignment) {
        pool.preparedQuery("UPDATE queue.jobs SET " + assignment + " WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely();
    }
}
