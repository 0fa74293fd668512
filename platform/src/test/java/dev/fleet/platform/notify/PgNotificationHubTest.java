package dev.fleet.platform.notify;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class PgNotificationHubTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    PgNotificationHub hub;

    @Inject
    Pool pool;

    private String channel;
    private RecordingListener listener;

    @BeforeEach
    void subscribeToFreshChannel() {
        channel = "test_" + UUID.randomUUID().toString().replace("-", "");
        listener = new RecordingListener();
        await().atMost(WAIT).until(hub::isConnected);
        hub.subscribe(channel, listener);
        await().atMost(WAIT).until(() -> listener.catchUps.get() == 1);
    }

    @Test
    void subscriptionCatchesUpOnceThenDeliversCommittedEvents() {
        publishInOneTransaction(false, "a");

        await().atMost(WAIT).until(() -> listener.markers().contains("a"));
        assertThat(listener.catchUps.get()).isEqualTo(1);
    }

    @Test
    void eventsOfOneTransactionArriveAsOneNotification() {
        publishInOneTransaction(false, "first", "second", "third");

        await().atMost(WAIT).until(() -> listener.markers().size() == 3);
        assertThat(listener.received).hasSize(1);
        assertThat(listener.markers()).containsExactly("first", "second", "third");
    }

    @Test
    void rolledBackTransactionNotifiesNobody() {
        publishInOneTransaction(true, "rolled-back");
        publishInOneTransaction(false, "committed-after");

        // NOTIFY is delivered in commit order: once the later one arrived, the earlier would have.
        await().atMost(WAIT).until(() -> listener.markers().contains("committed-after"));
        assertThat(listener.markers()).containsExactly("committed-after");
    }

    @Test
    void reconnectsAfterTheBackendIsKilledThenCatchesUpAndHearsLaterEvents() {
        Integer backend = hub.status().backendPid();
        given().when().get("/q/health/ready").then().statusCode(200);

        pool.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(backend))
                .await().atMost(WAIT);
        // The listener is gone: readiness must say so until it is back.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> given().when().get("/q/health/ready").statusCode() == 503);
        publishInOneTransaction(false, "during-gap");

        await().atMost(WAIT).until(() -> listener.catchUps.get() == 2);
        given().when().get("/q/health/ready").then().statusCode(200);
        assertThat(hub.status().backendPid()).isNotEqualTo(backend);
        assertThat(hub.status().reconnects()).isGreaterThanOrEqualTo(1);

        publishInOneTransaction(false, "after-reconnect");
        await().atMost(WAIT).until(() -> listener.markers().contains("after-reconnect"));
    }

    private void publishInOneTransaction(boolean rollback, String... markers) {
        TransactionNotifications notifications = new TransactionNotifications(7900);
        for (String marker : markers) {
            notifications.add(channel, new JsonObject().put("marker", marker));
        }
        Uni<Void> transaction = pool.withTransaction(connection -> notifications.sendWith(connection)
                .chain(() -> rollback ? Uni.createFrom().failure(new IllegalStateException("roll back"))
                        : Uni.createFrom().voidItem()));
        if (rollback) {
            transaction = transaction.onFailure(IllegalStateException.class).recoverWithNull();
        }
        transaction.await().atMost(WAIT);
    }
}
