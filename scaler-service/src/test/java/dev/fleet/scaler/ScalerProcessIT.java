package dev.fleet.scaler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fleet.platform.process.ServiceProcess;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * The scaler end to end, as packaged jars: queue-service, session-service, two scaler replicas,
 * and real reference runners started by the process backend. An enqueue starts a runner that
 * registers and does the job; once the queue is empty the runner is stopped gracefully (it drains
 * and deregisters); killing the leader hands over to the other replica, which carries on.
 */
class ScalerProcessIT {

    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final Path RUNNER_JAR = Path.of("../fleet-runner/target/fleet-runner.jar").toAbsolutePath();

    @Test
    void anEnqueueStartsARunnerAnEmptyQueueStopsItAndTheOtherReplicaTakesOver() throws Exception {
        try (ServiceProcess queue = ServiceProcess.ofModule("queue-service").start();
                ServiceProcess session = ServiceProcess.ofModule("session-service").start()) {
            String[] settings = {"-Dfleet.scaler.queue-url=" + queue.url(), "-Dfleet.scaler.session-url=" + session.url(),
                    "-Dfleet.scaler.token=" + ScalerApi.ADMIN, "-Dfleet.scaler.process.runner-token=" + ScalerApi.RUNNER,
                    "-Dfleet.scaler.evaluation-interval=1s", "-Dfleet.scaler.leader-check-interval=1s",
                    "-Dfleet.scaler.process.log-dir=target/process-logs"};
            try (ServiceProcess first = new ServiceProcess(settings).start();
                    ServiceProcess second = new ServiceProcess(settings).start()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> leads(first) != leads(second));
                ServiceProcess leader = leads(first) ? first : second;
                ServiceProcess other = leader == first ? second : first;

                String pool = ScalerApi.freshPool();
                String command = String.join(" ", JAVA, "-Xmx96m", "-jar", RUNNER_JAR.toString(), "--pool", "{pool}",
                        "--queue", "{queue}", "--port", "{port}", "--queue-url", queue.url(), "--session-url",
                        session.url(), "--telemetry-url", "none", "--claim-wait", "1s", "--grace", "5s");
                as(leader).body(Map.of("minInstances", 0, "maxInstances", 2,
                        "backend", Map.of("kind", "process", "settings", Map.of("command", command, "grace", "10s")),
                        "policy", Map.of("rules", List.of(), "queueTarget", Map.of("jobsPerInstance", 4),
                                "scaleOutCooldown", "0s", "scaleInCooldown", "0s", "scaleInStabilisation", "0s")))
                        .when().put("/pools/" + pool).then().statusCode(201);

                // An enqueue wakes the pool: a runner starts, registers and does the job.
                runJobThroughAFreshRunner(queue, session, pool);
                JsonPath scaledOut = events(leader, pool);
                assertThat(scaledOut.getString("events[-1].kind")).isEqualTo("scale-out");
                assertThat(scaledOut.getString("events[-1].backendCall")).isEqualTo("process.scaleTo(1)");

                // The queue is empty: scale in to 0; the runner drains and deregisters (graceful stop).
                await().atMost(Duration.ofSeconds(60)).until(() -> runners(session, pool).isEmpty());
                await().atMost(Duration.ofSeconds(60)).until(() -> "ok".equals(events(leader, pool)
                        .getString("events[0].outcome")) && "scale-in".equals(events(leader, pool)
                        .getString("events[0].kind")));

                // The leader dies; the other replica takes over and does the same for the next job.
                leader.kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> leads(other));
                runJobThroughAFreshRunner(queue, session, pool);
                await().atMost(Duration.ofSeconds(60)).until(() -> runners(session, pool).isEmpty());
                await().atMost(Duration.ofSeconds(60)).until(() -> events(other, pool).getList("events.outcome")
                        .stream().allMatch("ok"::equals));
                assertThat(events(other, pool).getList("events.kind")).containsExactly("scale-in", "scale-out",
                        "scale-in", "scale-out");
                assertThat(other.logText()).doesNotContain("ERROR");
            }
        }
    }

    /** Enqueues a short job and waits until a runner of the pool has registered and the job succeeded. */
    private static void runJobThroughAFreshRunner(ServiceProcess queue, ServiceProcess session, String pool) {
        long job = given().baseUri(queue.url()).header("Authorization", "Bearer " + ScalerApi.CLIENT)
                .contentType(ContentType.JSON).body(Map.of("kind", "sleep", "payload", Map.of("ms", 500)))
                .when().post("/queues/" + pool + "/jobs").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> runners(session, pool).size() == 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> "succeeded".equals(given().baseUri(queue.url())
                .header("Authorization", "Bearer " + ScalerApi.CLIENT).when().get("/jobs/" + job).then()
                .extract().jsonPath().getString("state")));
    }

    private static boolean leads(ServiceProcess scaler) {
        String metrics = given().baseUri(scaler.url()).when().get("/q/metrics").then().extract().asString();
        return metrics.lines().anyMatch(line -> line.startsWith("fleet_scaler_leader") && line.endsWith(" 1.0"));
    }

    private static List<Object> runners(ServiceProcess session, String pool) {
        return given().baseUri(session.url()).header("Authorization", "Bearer " + ScalerApi.CLIENT)
                .queryParam("pool", pool).when().get("/runners").then().statusCode(200).extract().jsonPath()
                .getList("runners");
    }

    private static JsonPath events(ServiceProcess scaler, String pool) {
        return as(scaler).when().get("/pools/" + pool + "/events").then().statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification as(ServiceProcess scaler) {
        return given().baseUri(scaler.url()).header("Authorization", "Bearer " + ScalerApi.ADMIN)
                .contentType(ContentType.JSON);
    }
}
