package dev.fleet.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fleet.platform.process.ServiceProcess;
import io.restassured.RestAssured;

/**
 * Two queue-service replicas, each running every maintenance pass: a periodic definition still
 * enqueues exactly one job per tick.
 */
class QueueReplicasIT {

    @Test
    void periodicJobFiresOncePerTickWithTwoReplicasRunning() throws Exception {
        String name = "replicas-" + UUID.randomUUID().toString().substring(0, 8);
        String queue = "periodic-" + name;
        try (ServiceProcess first = new ServiceProcess().start(); ServiceProcess second = new ServiceProcess().start()) {
            RestAssured.baseURI = "http://127.0.0.1";
            RestAssured.port = first.port();
            QueueApi.as(QueueApi.ADMIN)
                    .body(Map.of("queue", queue, "kind", "report", "cron", "* * * * *", "missedPolicy", "run-once"))
                    .put("/periodic-jobs/" + name).then().statusCode(200);
            // Pretend the schedule started minutes ago: a tick is due at once on both replicas.
            execute("UPDATE queue.periodic_jobs SET last_tick_at = now() - interval '150 seconds',"
                    + " ticks_after = now() - interval '150 seconds' WHERE name = '" + name + "'");

            await().atMost(Duration.ofSeconds(60)).until(() -> jobsPerTick(queue).size() >= 1);
            // A quiet period on purpose: a duplicate could only come from a pass still in flight on the
            // other replica, and nothing outside the process says when its passes end. A slow machine
            // runs fewer passes in it, so the check can only miss a duplicate, never fail without one.
            Thread.sleep(3000);

            assertThat(jobsPerTick(queue)).isNotEmpty().allSatisfy((tick, jobs) -> assertThat(jobs).as(tick).isEqualTo(1));
        } finally {
            execute("DELETE FROM queue.periodic_jobs WHERE name = '" + name + "'");
            RestAssured.reset();
        }
    }

    private static Map<String, Integer> jobsPerTick(String queue) throws Exception {
        Map<String, Integer> perTick = new HashMap<>();
        try (Connection c = connect();
                PreparedStatement query = c.prepareStatement(
                        "SELECT unique_key, count(*) FROM queue.jobs WHERE queue = ? GROUP BY unique_key")) {
            query.setString(1, queue);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    perTick.put(rows.getString(1), rows.getInt(2));
                }
            }
        }
        return perTick;
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = connect()) {
            c.createStatement().execute(sql);
        }
    }

    private static Connection connect() throws Exception {
        String host = System.getenv().getOrDefault("FLEET_DB_HOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("FLEET_DB_PORT", "5432");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/fleet_test",
                System.getenv().getOrDefault("FLEET_DB_USER", "fleet"), System.getenv().getOrDefault("FLEET_DB_PASSWORD", "fleet"));
    }
}
