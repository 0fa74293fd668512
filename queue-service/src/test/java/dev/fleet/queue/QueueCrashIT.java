package dev.fleet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.fleet.platform.process.ServiceProcess;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * {@code kill -9} of queue-service under load: producers keep enqueueing and workers keep
 * claiming and completing while the process is killed and restarted. Afterwards every job whose
 * enqueue was acknowledged (201) has succeeded, and no job was acknowledged as completed twice.
 */
class QueueCrashIT {

    private final Set<Long> accepted = ConcurrentHashMap.newKeySet();
    private final Map<Long, AtomicInteger> completions = new ConcurrentHashMap<>();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean working = new AtomicBoolean(true);
    private final AtomicInteger refused = new AtomicInteger();

    @Test
    void killMinusNineLosesNoAcceptedJobAndCompletesNoneTwice() throws Exception {
        String queue = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        try (ServiceProcess service = new ServiceProcess().start()) {
            RestAssured.baseURI = "http://127.0.0.1";
            RestAssured.port = service.port();
            // Short leases so the jobs held by requests that died with the process come back quickly.
            QueueApi.configure(queue, Map.of("leaseMs", 2000, "maxAttempts", 10));

            ExecutorService threads = Executors.newFixedThreadPool(6);
            for (int i = 0; i < 2; i++) {
                threads.submit(() -> produce(queue));
            }
            for (int i = 0; i < 4; i++) {
                threads.submit(() -> work(queue));
            }
            // Deadlines for a loaded 2-core machine, where these phases took 40 s next to other builds.
            await().atMost(Duration.ofSeconds(180)).until(() -> accepted.size() > 200 && completions.size() > 50);

            service.kill();
            int acceptedAtKill = accepted.size();
            int refusedAtKill = refused.get();
            // Down until the clients have run into the dead port, whatever the machine's speed.
            await().atMost(Duration.ofSeconds(60)).until(() -> refused.get() > refusedAtKill);
            service.start();

            await().atMost(Duration.ofSeconds(180)).until(() -> accepted.size() > acceptedAtKill + 200);
            producing.set(false);
            // Done when nothing is live: a completion whose answer died with the process still counts as done.
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<String, Integer> depth = QueueApi.as(QueueApi.CLIENT).get("/queues/" + queue).jsonPath()
                        .getMap("stats.depth");
                return depth.values().stream().mapToInt(Integer::intValue).sum() == 0;
            });
            working.set(false);
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            for (long id : accepted) {
                assertThat(QueueApi.job(id).getString("state")).as("job %d", id).isEqualTo("succeeded");
            }
            assertThat(completions.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            assertThat(completions.size()).isGreaterThan(accepted.size() / 2);
        } finally {
            RestAssured.reset();
        }
    }

    private void produce(String queue) {
        while (producing.get()) {
            try {
                Response response = QueueApi.as(QueueApi.CLIENT).body(Map.of("kind", "crash")).post("/queues/" + queue + "/jobs");
                if (response.statusCode() == 201) {
                    accepted.add(response.jsonPath().getLong("id"));
                }
            } catch (Exception connectionRefusedWhileDown) { // rest-assured rethrows ConnectException unchecked
                refused.incrementAndGet();
                pause();
            }
        }
    }

    private void work(String queue) {
        String runner = "runner-" + UUID.randomUUID();
        while (working.get()) {
            try {
                Response claim = QueueApi.as(QueueApi.RUNNER).body(Map.of("runnerId", runner, "max", 10, "waitMs", 200))
                        .post("/queues/" + queue + "/claim");
                if (claim.statusCode() != 200) {
                    pause();
                    continue;
                }
                List<Map<String, Object>> jobs = claim.jsonPath().getList("jobs");
                for (Map<String, Object> job : jobs) {
                    long id = QueueApi.id(job);
                    int status = QueueApi.as(QueueApi.RUNNER).body(Map.of("leaseToken", QueueApi.token(job)))
                            .post("/jobs/" + id + "/complete").statusCode();
                    if (status == 200) {
                        completions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            } catch (Exception connectionRefusedWhileDown) { // rest-assured rethrows ConnectException unchecked
                refused.incrementAndGet();
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
