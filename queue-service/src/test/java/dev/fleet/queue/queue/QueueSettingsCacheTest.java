package dev.fleet.queue.queue;

import static dev.fleet.queue.QueueApi.ADMIN;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.configure;
import static dev.fleet.queue.QueueApi.enqueue;
import static dev.fleet.queue.QueueApi.freshQueue;
import static dev.fleet.queue.QueueApi.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The claim path's cached queue settings stay correct: a change made here counts for the very next
 * claim, one announced by another replica as soon as its NOTIFY arrives. The TTL is pushed out of
 * reach, so only the invalidations can make these tests pass.
 */
@QuarkusTest
@TestProfile(QueueSettingsCacheTest.LongTtl.class)
class QueueSettingsCacheTest {

    public static class LongTtl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fleet.queue.settings-cache-ttl", "10m");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Test
    void pausingHereStopsClaimsHereAtOnce() {
        String queue = freshQueue();
        enqueue(queue, "k");
        long second = enqueue(queue, "k");
        assertThat(claim(queue, 1)).as("warms the cache: not paused").hasSize(1);

        as(ADMIN).when().post("/queues/" + queue + "/pause").then().statusCode(200).body("paused", equalTo(true));
        assertThat(claim(queue, 1)).isEmpty();

        as(ADMIN).when().post("/queues/" + queue + "/resume").then().statusCode(200);
        assertThat(claim(queue, 1)).extracting(c -> id(c)).containsExactly(second);
    }

    @Test
    void newLimitsByPutCountForTheNextClaimHere() {
        String queue = freshQueue();
        enqueue(queue, "warm-up");
        assertThat(claim(queue, 1)).as("warms the cache: no limits").hasSize(1);

        configure(queue, Map.of("fairnessLimit", 1));
        enqueue(queue, Map.of("kind", "k", "fairnessKey", "tenant-a"));
        enqueue(queue, Map.of("kind", "k", "fairnessKey", "tenant-a"));

        assertThat(claim(queue, 10)).as("the limited claim, not the cached lock-free one").hasSize(1);
    }

    @Test
    void aChangeAnnouncedByAnotherReplicaIsSeenByTheNextClaim() {
        String queue = freshQueue();
        long job = enqueue(queue, "k");
        as(ADMIN).when().post("/queues/" + queue + "/pause").then().statusCode(200);
        assertThat(claim(queue, 1)).as("caches the paused queue").isEmpty();

        // What another replica's resume does: the row, then its NOTIFY (after the commit).
        resumeWithoutThisReplicaKnowing(queue);
        assertThat(claim(queue, 1)).as("unannounced, so this replica still trusts its copy").isEmpty();
        notify(new JsonObject().put("event", "changed").put("queue", queue).put("count", 0));

        List<Map<String, Object>> claimed = await().atMost(WAIT).until(() -> claim(queue, 1), jobs -> !jobs.isEmpty());
        assertThat(claimed).extracting(c -> id(c)).containsExactly(job);
    }

    @Test
    void anOverflowDropsEveryCachedQueue() {
        String queue = freshQueue();
        long job = enqueue(queue, "k");
        as(ADMIN).when().post("/queues/" + queue + "/pause").then().statusCode(200);
        assertThat(claim(queue, 1)).as("caches the paused queue").isEmpty();

        resumeWithoutThisReplicaKnowing(queue);
        notify(new JsonObject().put("overflow", 1));

        List<Map<String, Object>> claimed = await().atMost(WAIT).until(() -> claim(queue, 1), jobs -> !jobs.isEmpty());
        assertThat(claimed).extracting(c -> id(c)).containsExactly(job);
    }

    @Test
    void aQueueCreatedAfterAClaimFoundNoneIsClaimedAtOnce() {
        String queue = freshQueue();
        assertThat(claim(queue, 1)).as("no such queue yet").isEmpty();

        long job = enqueue(queue, "k");
        assertThat(claim(queue, 1)).extracting(c -> id(c)).containsExactly(job);
    }

    private void resumeWithoutThisReplicaKnowing(String queue) {
        pool.preparedQuery("UPDATE queue.queues SET paused = false, updated_at = now() WHERE name = $1")
                .execute(Tuple.of(queue)).await().atMost(WAIT);
    }

    private void notify(JsonObject event) {
        pool.preparedQuery("SELECT pg_notify('fleet_queue', $1)").execute(Tuple.of(event.encode())).await().atMost(WAIT);
    }
}
