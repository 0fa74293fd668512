package dev.fleet.queue.claim;

import static dev.fleet.queue.QueueApi.CLIENT;
import static dev.fleet.queue.QueueApi.as;
import static dev.fleet.queue.QueueApi.claim;
import static dev.fleet.queue.QueueApi.freshQueue;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.fleet.queue.QueueApi;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ConcurrentClaimTest {

    @Test
    void manyConcurrentClaimersNeverGetTheSameJob() throws Exception {
        String queue = freshQueue();
        List<Map<String, Object>> jobs = IntStream.range(0, 600).mapToObj(i -> Map.<String, Object>of("kind", "race")).toList();
        List<Long> enqueued = as(CLIENT).body(Map.of("jobs", jobs)).when().post("/queues/" + queue + "/jobs/batch")
                .then().statusCode(200).extract().jsonPath().getList("jobs.id", Long.class);

        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<Long>>> claimers = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            claimers.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                List<Map<String, Object>> got;
                while (!(got = claim(queue, 7)).isEmpty()) {
                    got.forEach(j -> mine.add(QueueApi.id(j)));
                    List<Map<String, Object>> done = got.stream()
                            .map(j -> Map.<String, Object>of("jobId", QueueApi.id(j), "leaseToken", QueueApi.token(j)))
                            .toList();
                    as(QueueApi.RUNNER).body(Map.of("items", done)).when().post("/leases/complete").then().statusCode(200);
                }
                return mine;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> claimer : claimers) {
            all.addAll(claimer.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        Set<Long> distinct = new HashSet<>(all);
        assertThat(all).hasSize(600);
        assertThat(distinct).hasSize(600).containsExactlyInAnyOrderElementsOf(enqueued);
        as(CLIENT).when().get("/queues/" + queue).then().statusCode(200)
                .body("stats.finishedLastMinute.succeeded", org.hamcrest.Matchers.equalTo(600));
    }
}
