package dev.fleet.session.channel;

import static dev.fleet.session.SessionApi.CLIENT;
import static dev.fleet.session.SessionApi.RUNNER;
import static dev.fleet.session.SessionApi.act;
import static dev.fleet.session.SessionApi.createSession;
import static dev.fleet.session.SessionApi.freshPool;
import static dev.fleet.session.SessionApi.register;
import static dev.fleet.session.SessionApi.runningSession;
import static dev.fleet.session.SessionApi.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.session.SessionApi.TestRunner;
import dev.fleet.session.operation.OperationKind;
import dev.fleet.session.operation.OperationView;
import dev.fleet.session.operation.OperationsCommitted;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

@QuarkusTest
class RunnerChannelTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    RunnerChannels channels;

    private ChannelSocket open(TestRunner runner) {
        ChannelSocket socket = ChannelSocket.open(base, runner.id(), runner.token(), RUNNER);
        JsonObject hello = socket.next("hello");
        assertThat(hello.getString("runner")).isEqualTo(runner.id());
        assertThat(hello.getInteger("protocol")).isEqualTo(1);
        return socket;
    }

    private static JsonObject report(String type, String id, String operation) {
        return new JsonObject().put("type", type).put("id", id).put("operation", operation);
    }

    @Nested
    class Push {

        @Test
        void theStartOperationArrivesWhenTheSessionIsCreatedAndItsCompletionRunsTheSession() {
            String p = freshPool();
            TestRunner r = register(p, 2);
            try (ChannelSocket socket = open(r)) {
                JsonPath start = createSession(p, Map.of());
                JsonObject pushed = socket.operationFor(start.getString("target"));
                JsonObject op = pushed.getJsonObject("operation");
                assertThat(op.getString("id")).isEqualTo(start.getString("id"));
                assertThat(op.getString("kind")).isEqualTo("start");
                assertThat(op.getString("runnerId")).isEqualTo(r.id());
                assertThat(op.getJsonObject("metadata").getJsonObject("resources")).isNotNull();
                assertThat(pushed.getBoolean("redelivery")).isFalse();
                socket.send(new JsonObject().put("type", "ack").put("operation", op.getString("id")));

                socket.send(report("complete", "c-1", op.getString("id")).put("result", new JsonObject().put("pid", 42)));
                JsonObject reply = socket.reply("c-1");
                assertThat(reply.getBoolean("ok")).isTrue();
                assertThat(reply.getJsonObject("body").getBoolean("done")).isTrue();
                assertThat(reply.getJsonObject("body").getJsonObject("result").getInteger("pid")).isEqualTo(42);
                assertThat(session(start.getString("target")).getString("state")).isEqualTo("running");
            }
        }

        @Test
        void anOperationCommittedOnTheReplicaHoldingTheSocketIsPushedWithoutItsNotificationOrARead() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            try (ChannelSocket socket = open(r)) {
                // No row and no NOTIFY: only the committing replica's own announcement can bring it.
                UUID session = UUID.randomUUID();
                OperationView op = new OperationView(UUID.randomUUID(), OperationKind.start, session,
                        UUID.fromString(r.id()), false, 0, Map.of("session", session.toString()), null, null,
                        Instant.now(), Instant.now(), Instant.now().plusSeconds(60));
                channels.onCommitted(new OperationsCommitted(List.of(op)));
                JsonObject pushed = socket.operationFor(session.toString());
                assertThat(pushed.getJsonObject("operation").getString("id")).isEqualTo(op.id().toString());
                assertThat(pushed.getBoolean("redelivery")).isFalse();
            }
        }

        @Test
        void manySessionsAreMultiplexedOnOneSocketAndEveryKindIsPushed() {
            String p = freshPool();
            TestRunner r = register(p, 3);
            try (ChannelSocket socket = open(r)) {
                Set<String> sessions = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    sessions.add(createSession(p, Map.of()).getString("target"));
                }
                for (String s : sessions) {
                    JsonObject op = socket.operationFor(s).getJsonObject("operation");
                    socket.send(report("progress", "p-" + s, op.getString("id")).put("progress", 50)
                            .put("metadata", new JsonObject().put("phase", "browser")));
                    assertThat(socket.reply("p-" + s).getJsonObject("body").getInteger("progress")).isEqualTo(50);
                    socket.send(report("complete", "c-" + s, op.getString("id")));
                    assertThat(socket.reply("c-" + s).getBoolean("ok")).isTrue();
                }
                String one = sessions.iterator().next();
                String pause = act(one, "pause").getString("id");
                JsonObject pushed = socket.operationFor(one).getJsonObject("operation");
                assertThat(pushed.getString("id")).isEqualTo(pause);
                assertThat(pushed.getString("kind")).isEqualTo("pause");
                socket.send(report("fail", "f-1", pause).put("error", "display frozen"));
                JsonObject failed = socket.reply("f-1").getJsonObject("body");
                assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("FAILED");
                assertThat(failed.getJsonObject("error").getString("message")).isEqualTo("display frozen");
            }
        }

        @Test
        void operationsCreatedWhileNoSocketWasOpenArriveWhenOneOpens() {
            String p = freshPool();
            TestRunner r = register(p, 2);
            String first = createSession(p, Map.of()).getString("id");
            String second = createSession(p, Map.of()).getString("id");
            try (ChannelSocket socket = open(r)) {
                Set<String> pushed = new HashSet<>();
                pushed.add(socket.next("operation").getJsonObject("operation").getString("id"));
                pushed.add(socket.next("operation").getJsonObject("operation").getString("id"));
                assertThat(pushed).containsExactlyInAnyOrder(first, second);
            }
        }
    }

    @Nested
    class Redelivery {

        @Test
        void anUnacknowledgedOperationIsSentAgainOnTheSameSocket() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            try (ChannelSocket socket = open(r)) {
                String session = createSession(p, Map.of()).getString("target");
                JsonObject first = socket.operationFor(session);
                JsonObject again = socket.operationFor(session);
                assertThat(again.getBoolean("redelivery")).isTrue();
                assertThat(again.getJsonObject("operation").getString("id"))
                        .isEqualTo(first.getJsonObject("operation").getString("id"));
            }
        }

        @Test
        void anOpenOperationIsSentAgainOnReconnectEvenIfAcknowledgedAndNeverAfterItEnded() {
            String p = freshPool();
            TestRunner r = register(p, 2);
            String op;
            String session;
            try (ChannelSocket socket = open(r)) {
                session = createSession(p, Map.of()).getString("target");
                op = socket.operationFor(session).getJsonObject("operation").getString("id");
                socket.send(new JsonObject().put("type", "ack").put("operation", op));
            }
            String done = runningSession(p, r);
            try (ChannelSocket socket = open(r)) {
                JsonObject again = socket.next("operation");
                assertThat(again.getJsonObject("operation").getString("id")).isEqualTo(op);
                socket.send(report("complete", "c-1", op));
                assertThat(socket.reply("c-1").getBoolean("ok")).isTrue();
                // A heartbeat round trip after the read: nothing else (the finished session's start) was pushed.
                socket.send(new JsonObject().put("type", "heartbeat").put("id", "h-1"));
                JsonObject reply = socket.reply("h-1");
                assertThat(reply.getJsonObject("body").getLong("pendingOperations")).isZero();
            }
            assertThat(session(session).getString("state")).isEqualTo("running");
            assertThat(session(done).getString("state")).isEqualTo("running");
        }
    }

    @Nested
    class Reports {

        @Test
        void aHeartbeatRidesOnTheChannel() {
            TestRunner r = register(freshPool(), 1);
            try (ChannelSocket socket = open(r)) {
                socket.send(new JsonObject().put("type", "heartbeat").put("id", 7)
                        .put("load", new JsonObject().put("cpuPercent", 12.5).put("activeSessions", 0)));
                JsonObject reply = socket.next(m -> "reply".equals(m.getString("type")) && Integer.valueOf(7).equals(m.getValue("id")));
                assertThat(reply.getBoolean("ok")).isTrue();
                assertThat(reply.getJsonObject("body").getString("health")).isEqualTo("healthy");
                assertThat(reply.getJsonObject("body").getBoolean("draining")).isFalse();
            }
            given().header("Authorization", "Bearer " + CLIENT).when().get("/runners/" + r.id()).then()
                    .statusCode(200).body("cpuPercent", equalTo(12.5f));
        }

        @Test
        void badMessagesGetProblemRepliesAndTheSocketStaysOpen() {
            String p = freshPool();
            TestRunner r = register(p, 1);
            TestRunner other = register(freshPool(), 1);
            try (ChannelSocket socket = open(r)) {
                socket.sendRaw("not json");
                JsonObject malformed = socket.next("reply").getJsonObject("problem");
                assertThat(malformed.getInteger("status")).isEqualTo(400);
                assertThat(malformed.getString("type")).isEqualTo("urn:fleet:problem:malformed-json");

                socket.send(new JsonObject().put("type", "dance").put("id", "d"));
                assertThat(socket.reply("d").getJsonObject("problem").getString("type"))
                        .isEqualTo("urn:fleet:problem:unknown-message");

                socket.send(new JsonObject().put("type", "complete").put("id", "no-op"));
                assertThat(socket.reply("no-op").getJsonObject("problem").getString("field")).isEqualTo("operation");

                socket.send(report("progress", "range", java.util.UUID.randomUUID().toString()).put("progress", 150));
                JsonObject range = socket.reply("range").getJsonObject("problem");
                assertThat(range.getString("type")).isEqualTo("urn:fleet:problem:validation");
                assertThat(range.getJsonArray("errors").getJsonObject(0).getString("field")).isEqualTo("progress");

                String unknown = java.util.UUID.randomUUID().toString();
                socket.send(report("complete", "gone", unknown));
                assertThat(socket.reply("gone").getJsonObject("problem").getInteger("status")).isEqualTo(404);

                String othersOp = createSessionOn(other);
                socket.send(report("complete", "theirs", othersOp));
                JsonObject theirs = socket.reply("theirs").getJsonObject("problem");
                assertThat(theirs.getInteger("status")).isEqualTo(403);
                assertThat(theirs.getString("type")).isEqualTo("urn:fleet:problem:runner-token");

                String mine = createSession(p, Map.of()).getString("id");
                socket.send(report("complete", "once", mine));
                assertThat(socket.reply("once").getBoolean("ok")).isTrue();
                socket.send(report("complete", "twice", mine));
                JsonObject twice = socket.reply("twice").getJsonObject("problem");
                assertThat(twice.getInteger("status")).isEqualTo(409);
                assertThat(twice.getString("type")).isEqualTo("urn:fleet:problem:operation-done");
            }
        }

        private String createSessionOn(TestRunner other) {
            String pool = given().header("Authorization", "Bearer " + CLIENT).when().get("/runners/" + other.id())
                    .then().statusCode(200).extract().jsonPath().getString("pool");
            return createSession(pool, Map.of()).getString("id");
        }
    }

    @Nested
    class Handshake {

        private io.restassured.specification.RequestSpecification upgrade() {
            return given().header("Upgrade", "websocket").header("Connection", "Upgrade")
                    .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        }

        @Test
        void isRefusedWithProblemsBeforeTheUpgrade() {
            TestRunner r = register(freshPool(), 1);
            TestRunner other = register(freshPool(), 1);
            String path = "/runners/" + r.id() + "/channel";
            upgrade().header("X-Runner-Token", r.token()).when().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", "Bearer realm=\"fleet\"").body("type", equalTo("urn:fleet:problem:unauthorized"));
            upgrade().header("Authorization", "Bearer " + CLIENT).header("X-Runner-Token", r.token()).when().get(path)
                    .then().statusCode(403).body("type", equalTo("urn:fleet:problem:forbidden"));
            upgrade().header("Authorization", "Bearer " + RUNNER).when().get(path)
                    .then().statusCode(403).body("type", equalTo("urn:fleet:problem:runner-token"));
            upgrade().header("Authorization", "Bearer " + RUNNER).header("X-Runner-Token", other.token()).when().get(path)
                    .then().statusCode(403).body("type", equalTo("urn:fleet:problem:runner-token"));
            upgrade().header("Authorization", "Bearer " + RUNNER).header("X-Runner-Token", r.token())
                    .when().get("/runners/" + java.util.UUID.randomUUID() + "/channel")
                    .then().statusCode(404).body("type", equalTo("urn:fleet:problem:runner-not-found"));
            given().header("Authorization", "Bearer " + RUNNER).header("X-Runner-Token", r.token()).when().get(path)
                    .then().statusCode(400).body("type", equalTo("urn:fleet:problem:not-a-websocket"));
        }

        @Test
        void aSecondSocketOfTheSameRunnerReplacesTheFirst() {
            TestRunner r = register(freshPool(), 1);
            try (ChannelSocket first = open(r); ChannelSocket second = open(r)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.closeCode() == 4000);
                second.send(new JsonObject().put("type", "heartbeat").put("id", "h"));
                assertThat(second.reply("h").getBoolean("ok")).isTrue();
            }
        }
    }

}
