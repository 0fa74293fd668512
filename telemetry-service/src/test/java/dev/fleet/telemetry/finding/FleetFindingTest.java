package dev.fleet.telemetry.finding;

import static dev.fleet.telemetry.TelemetryApi.CLIENT;
import static dev.fleet.telemetry.TelemetryApi.PROBLEM;
import static dev.fleet.telemetry.TelemetryApi.RUNNER;
import static dev.fleet.telemetry.TelemetryApi.as;
import static dev.fleet.telemetry.TelemetryApi.fresh;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.telemetry.FleetServicesResource;
import dev.fleet.telemetry.MutableClock;
import dev.fleet.telemetry.maintenance.FindingEvaluator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Findings from the other services' figures: runners heartbeat to the real session-service, jobs are
 * enqueued to the real queue-service, and each evaluation is driven with {@code runOnce()} on the
 * injected clock (holds pass by advancing it, never by sleeping).
 */
@QuarkusTest
@TestProfile(FindingsProfile.class)
class FleetFindingTest {

    @Inject
    MutableClock clock;

    @Inject
    FindingEvaluator evaluator;

    @Inject
    FindingsConfig config;

    private final List<Runnable> cleanups = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        cleanups.forEach(Runnable::run);
        cleanups.clear();
    }

    @Nested
    class RunnerCpu {

        @Test
        void aHeartbeatOverTheLevelForTheHoldOpensAFindingThatResolvesWhenCpuDrops() {
            Runner runner = register(fresh("pool"));
            runner.beat(Map.of("cpuPercent", 96, "memoryPercent", 40));
            evaluate();
            assertThat(open("runner-cpu", runner.endpoint())).as("pending: not held yet").isEmpty();

            clock.advance(config.runnerCpuPercent().hold());
            runner.beat(Map.of("cpuPercent", 97, "memoryPercent", 40));
            evaluate();
            assertThat(open("runner-cpu", runner.endpoint())).singleElement().satisfies(f -> assertThat(f)
                    .containsEntry("kind", "capacity").containsEntry("severity", "critical")
                    .containsEntry("value", 96.0f).containsEntry("threshold", 95.0f)
                    .containsEntry("detail", "held for 5m, value: the least bad reading")
                    .containsEntry("state", "open"));
            assertThat(open("runner-memory", runner.endpoint())).isEmpty();
            assertThat(given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                    .contains("fleet_telemetry_finding_open{kind=\"capacity\",name=\"runner-cpu\",severity=\"critical\","
                            + "subject=\"" + runner.endpoint() + "\"} 1.0");

            runner.beat(Map.of("cpuPercent", 10, "memoryPercent", 40));
            evaluate();
            assertThat(open("runner-cpu", runner.endpoint())).isEmpty();
            assertThat(findings("resolved", "capacity")).filteredOn(f -> runner.endpoint().equals(f.get("subject")))
                    .singleElement().satisfies(f -> assertThat(f).containsEntry("name", "runner-cpu"));
        }
    }

    @Nested
    class QueueDepth {

        @Test
        void availableJobsOverTheLevelForTheHoldOpenAFindingThatResolvesWhenTheQueueEmpties() {
            String queue = fresh("q");
            List<String> jobs = enqueue(queue, 6);
            evaluate();
            assertThat(open("queue-depth", queue)).isEmpty();

            clock.advance(config.queueDepth().hold());
            evaluate();
            assertThat(open("queue-depth", queue)).singleElement().satisfies(f -> assertThat(f)
                    .containsEntry("severity", "warning").containsEntry("value", 6.0f)
                    .containsEntry("threshold", 5.0f));

            cancel(jobs);
            evaluate();
            assertThat(open("queue-depth", queue)).isEmpty();
        }
    }

    @Nested
    class Signatures {

        @Test
        void cpuBoundOpensWithTwoOfItsIndicatorsAndNotWithOne() {
            String pool = fresh("pool");
            Runner runner = register(pool);
            runner.beat(Map.of("cpuPercent", 90, "avgResponseMs", 10));   // cpu only
            evaluate();
            assertThat(open("cpu-bound", pool)).isEmpty();

            runner.beat(Map.of("cpuPercent", 90, "avgResponseMs", 2500)); // cpu and response time
            evaluate();
            assertThat(open("cpu-bound", pool)).singleElement().satisfies(f -> assertThat(f)
                    .containsEntry("kind", "bottleneck").containsEntry("severity", "warning")
                    .containsEntry("value", 2.0f).containsEntry("threshold", 2.0f)
                    .containsEntry("detail", "2 of 3: cpu, response-time"));
            assertThat(open("io-bound", pool)).as("CPU is not low").isEmpty();
            assertThat(findings("open", "bottleneck")).anySatisfy(f -> assertThat(f.get("subject")).isEqualTo(pool));

            runner.beat(Map.of("cpuPercent", 20, "avgResponseMs", 2500)); // now slow while idle
            evaluate();
            assertThat(open("cpu-bound", pool)).isEmpty();
            assertThat(open("io-bound", pool)).singleElement().satisfies(f -> assertThat(f)
                    .containsEntry("detail", "2 of 2: response-time, cpu-low"));
        }
    }

    @Nested
    class UnreadInput {

        @Test
        void anInputThatCannotBeReadNeitherOpensNorResolvesItsFindings() throws Exception {
            String held = fresh("q");
            List<String> heldJobs = enqueue(held, 6);
            evaluate();
            clock.advance(config.queueDepth().hold());
            evaluate();
            assertThat(open("queue-depth", held)).hasSize(1);
            String lastSeen = (String) open("queue-depth", held).get(0).get("lastSeenAt");

            cancel(heldJobs);                       // would resolve it, if queue-service could be read
            String unseen = fresh("q");
            List<String> unseenJobs = enqueue(unseen, 6);
            double failedBefore = failedQueueReads();
            FleetServicesResource.queue.kill();
            try {
                clock.advance(config.queueDepth().hold());
                evaluate();
                clock.advance(config.queueDepth().hold());
                evaluate();
                assertThat(open("queue-depth", held)).as("an outage is no recovery").singleElement()
                        .satisfies(f -> assertThat(f).containsEntry("lastSeenAt", lastSeen));
                assertThat(open("queue-depth", unseen)).isEmpty();
                assertThat(failedQueueReads()).isGreaterThanOrEqualTo(failedBefore + 2);
            } finally {
                FleetServicesResource.queue.start();
            }
            evaluate();
            assertThat(open("queue-depth", held)).as("read again: the empty queue resolves it").isEmpty();
            cancel(unseenJobs);
        }
    }

    @Nested
    class BadInput {

        @Test
        void anUnknownKindIsAProblem() {
            as(CLIENT).when().get("/findings?kind=hunch").then().statusCode(422).contentType(PROBLEM)
                    .body("field", equalTo("kind"));
        }

        @Test
        void aLimitOutOfRangeIsAProblem() {
            as(CLIENT).when().get("/findings?limit=0").then().statusCode(422).contentType(PROBLEM)
                    .body("field", equalTo("limit"));
        }

        @Test
        void aLimitThatIsNoNumberIsAProblemNotAServerError() {
            // JAX-RS answers a query parameter it cannot convert with 404; the platform makes it a problem
            as(CLIENT).when().get("/findings?limit=many").then().statusCode(404).contentType(PROBLEM);
        }
    }

    // --- the fleet's services, over REST as a runner and a client use them ---

    private record Runner(String id, String token, String endpoint) {

        void beat(Map<String, Object> figures) {
            given().header("Authorization", "Bearer " + RUNNER).header("X-Runner-Token", token)
                    .contentType("application/json").body(figures)
                    .when().post(FleetServicesResource.session.url() + "/runners/" + id + "/heartbeat")
                    .then().statusCode(200);
        }
    }

    private Runner register(String pool) {
        String endpoint = "http://127.0.0.1:9/" + pool;
        Map<String, Object> body = Map.of("pool", pool, "endpoint", endpoint, "maxSessions", 2);
        var answer = given().header("Authorization", "Bearer " + RUNNER).contentType("application/json").body(body)
                .when().post(FleetServicesResource.session.url() + "/runners").then().statusCode(201).extract()
                .jsonPath();
        Runner runner = new Runner(answer.getString("runner.id"), answer.getString("token"), endpoint);
        cleanups.add(() -> given().header("Authorization", "Bearer " + RUNNER).header("X-Runner-Token", runner.token())
                .when().delete(FleetServicesResource.session.url() + "/runners/" + runner.id() + "?force=true"));
        return runner;
    }

    private List<String> enqueue(String queue, int count) {
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add(Map.of("kind", "noop"));
        }
        List<String> ids = given().header("Authorization", "Bearer " + CLIENT).contentType("application/json")
                .body(Map.of("jobs", jobs))
                .when().post(FleetServicesResource.queue.url() + "/queues/" + queue + "/jobs/batch")
                .then().statusCode(200).extract().jsonPath().getList("jobs.id").stream().map(String::valueOf).toList();
        cleanups.add(() -> cancel(ids));
        return ids;
    }

    /** Cancels jobs (again, if they are already: a cancelled job answers 409, which is fine here). */
    private static void cancel(List<String> ids) {
        for (String id : ids) {
            given().header("Authorization", "Bearer " + CLIENT).when()
                    .post(FleetServicesResource.queue.url() + "/jobs/" + id + "/cancel");
        }
    }

    private void evaluate() {
        evaluator.runOnce().await().indefinitely();
    }

    private static double failedQueueReads() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("fleet_telemetry_input_reads_total{")
                && l.contains("input=\"queues\"") && l.contains("outcome=\"failed\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static List<Map<String, Object>> findings(String state, String kind) {
        return as(CLIENT).when().get("/findings?state=" + state + "&kind=" + kind + "&limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("findings");
    }

    private static List<Map<String, Object>> open(String name, String subject) {
        List<Map<String, Object>> open = new ArrayList<>();
        for (String kind : List.of("capacity", "bottleneck")) {
            for (Map<String, Object> f : findings("open", kind)) {
                if (name.equals(f.get("name")) && subject.equals(f.get("subject"))) {
                    open.add(new HashMap<>(f));
                }
            }
        }
        return open;
    }
}
