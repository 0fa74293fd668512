package dev.fleet.session.event;

import static dev.fleet.session.event.EventTestData.PROBLEM;
import static dev.fleet.session.event.EventTestData.append;
import static dev.fleet.session.event.EventTestData.appendNumbered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Follow streams over real HTTP connections, woken by real NOTIFYs. */
@QuarkusTest
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EventTestData data;

    @Inject
    EventFollowers followers;

    /** Opens a stream and waits until the service has admitted it. */
    SseStream follow(UUID session, String query, Map<String, String> headers) {
        int before = followers.followerCount(session);
        SseStream stream = SseStream.open(session, query, headers);
        assertThat(stream.status).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        await().atMost(WAIT).until(() -> followers.followerCount(session) > before);
        return stream;
    }

    SseStream follow(UUID session, String query) {
        return follow(session, query, Map.of());
    }

    @Nested
    class Live {

        @Test
        void newEventsArriveInOrderWithSeqAsIdAndTypeAsName() {
            UUID session = data.runningSession();
            try (SseStream stream = follow(session, "")) {
                append(session, "click", "key");
                append(session, "scroll");
                appendNumbered(session, "tick", 0, 4);

                await().atMost(WAIT).until(() -> stream.events.size() >= 7);
                assertThat(stream.ids()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
                assertThat(stream.events).extracting(SseStream.Event::name)
                        .containsExactly("click", "key", "scroll", "tick", "tick", "tick", "tick");
                JsonObject first = new JsonObject(stream.events.get(0).data());
                assertThat(first.getLong("seq")).isEqualTo(1);
                assertThat(first.getString("type")).isEqualTo("click");
                assertThat(first.getString("source")).isEqualTo("system");
                assertThat(first.getJsonObject("data").getInteger("i")).isZero();
                assertThat(first.getString("at")).isNotBlank();
                assertThat(new JsonObject(stream.events.get(6).data()).getJsonObject("data").getInteger("n")).isEqualTo(3);
                assertThat(stream.ended()).isFalse();
            }
        }

        @Test
        void aStreamStartsAtTheEndOfTheLogByDefault() {
            UUID session = data.runningSession();
            append(session, "old", "old");
            try (SseStream stream = follow(session, "")) {
                append(session, "new");
                await().atMost(WAIT).until(() -> !stream.events.isEmpty());
                assertThat(stream.ids()).containsExactly(3L);
            }
        }

        @Test
        void manyConcurrentAppendsReachAFollowerOnceEachInOrder() throws Exception {
            UUID session = data.runningSession();
            try (SseStream stream = follow(session, "")) {
                List<Thread> writers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    writers.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 25; i++) {
                            appendNumbered(session, "w", i * 2, 2);
                        }
                    }));
                }
                for (Thread writer : writers) {
                    writer.join(Duration.ofSeconds(60));
                }
                await().atMost(WAIT).until(() -> stream.events.size() >= 200);
                assertThat(stream.ids()).containsExactlyElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
            }
        }

        @Test
        void aBacklogLongerThanOneReadArrivesWhole() {
            UUID session = data.runningSession();
            appendNumbered(session, "bulk", 1, 1000);
            appendNumbered(session, "bulk", 1001, 300);
            try (SseStream stream = follow(session, "tail=1300")) {
                await().atMost(WAIT).until(() -> stream.events.size() >= 1300);
                assertThat(stream.ids()).containsExactlyElementsOf(LongStream.rangeClosed(1, 1300).boxed().toList());
            }
        }
    }

    @Nested
    class Start {

        @Test
        void tailSendsTheNewestNFirstThenNewOnes() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 10);
            try (SseStream stream = follow(session, "tail=3")) {
                await().atMost(WAIT).until(() -> stream.events.size() >= 3);
                append(session, "after");
                await().atMost(WAIT).until(() -> stream.events.size() >= 4);
                assertThat(stream.ids()).containsExactly(8L, 9L, 10L, 11L);
                assertThat(stream.events.get(3).name()).isEqualTo("after");
            }
        }

        @Test
        void tailLongerThanTheLogSendsAllOfIt() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 2);
            try (SseStream stream = follow(session, "tail=50")) {
                await().atMost(WAIT).until(() -> stream.events.size() >= 2);
                assertThat(stream.ids()).containsExactly(1L, 2L);
            }
        }

        @Test
        void lastEventIdResumesAfterThatSeq() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 5);
            try (SseStream stream = follow(session, "tail=1", Map.of("Last-Event-ID", "2"))) {
                await().atMost(WAIT).until(() -> stream.events.size() >= 3);
                append(session, "more");
                await().atMost(WAIT).until(() -> stream.events.size() >= 4);
                assertThat(stream.ids()).containsExactly(3L, 4L, 5L, 6L);
            }
        }

        @Test
        void afterResumesAfterThatSeq() {
            UUID session = data.runningSession();
            appendNumbered(session, "t", 1, 5);
            try (SseStream stream = follow(session, "after=4")) {
                await().atMost(WAIT).until(() -> !stream.events.isEmpty());
                assertThat(stream.ids()).containsExactly(5L);
            }
        }

        @Test
        void unknownSessionIs404ProblemAndTakesNoSlot() throws Exception {
            UUID nobody = UUID.randomUUID();
            SseStream stream = SseStream.open(nobody, "");
            assertThat(stream.status).isEqualTo(404);
            assertThat(stream.header("Content-Type")).startsWith(PROBLEM);
            JsonObject problem = new JsonObject(stream.body());
            assertThat(problem.getString("type")).isEqualTo("urn:fleet:problem:session-not-found");
            await().atMost(WAIT).until(() -> followers.followerCount(nobody) == 0);
        }

        @Test
        void aResumePointThatIsNotASeqIs400() throws Exception {
            UUID session = data.runningSession();
            SseStream badHeader = SseStream.open(session, "", Map.of("Last-Event-ID", "yesterday"));
            assertThat(badHeader.status).isEqualTo(400);
            assertThat(badHeader.header("Content-Type")).startsWith(PROBLEM);
            SseStream negative = SseStream.open(session, "after=-1");
            assertThat(negative.status).isEqualTo(400);
            assertThat(new JsonObject(negative.body()).getString("type")).isEqualTo("urn:fleet:problem:validation");
            assertThat(followers.followerCount(session)).isZero();
        }

        @Test
        void tailOverTheMaximumIs400NamingTheLimit() throws Exception {
            UUID session = data.runningSession();
            SseStream stream = SseStream.open(session, "tail=2001");
            assertThat(stream.status).isEqualTo(400);
            assertThat(stream.header("Content-Type")).startsWith(PROBLEM);
            JsonObject problem = new JsonObject(stream.body());
            assertThat(problem.getString("type")).isEqualTo("urn:fleet:problem:limit-exceeded");
            assertThat(problem.getString("parameter")).isEqualTo("tail");
            assertThat(problem.getInteger("limit")).isEqualTo(2000);
        }
    }

    @Nested
    class End {

        @Test
        void aFinalStateEndsTheStreamAfterWhatWasLoggedBefore() {
            UUID session = data.runningSession();
            try (SseStream stream = follow(session, "")) {
                appendNumbered(session, "last", 1, 3);
                data.endSession(session, "stopped");

                await().atMost(WAIT).until(stream::ended);
                assertThat(stream.ids()).containsExactly(1L, 2L, 3L);
                await().atMost(WAIT).until(() -> followers.followerCount(session) == 0);
            }
        }

        @Test
        void aStateThatIsNotFinalKeepsItOpen() {
            UUID session = data.runningSession();
            try (SseStream stream = follow(session, "")) {
                data.notifySession(new JsonObject().put("event", "state").put("session", session.toString())
                        .put("state", "paused"));
                append(session, "still-here");
                await().atMost(WAIT).until(() -> stream.events.size() == 1);
                assertThat(stream.ended()).isFalse();
                assertThat(followers.followerCount(session)).isEqualTo(1);
            }
        }

        @Test
        void followingAnEndedSessionSendsItsLogAndEnds() {
            UUID session = data.session("error", false);
            appendNumbered(session, "t", 1, 2);
            try (SseStream stream = SseStream.open(session, "after=0")) {
                assertThat(stream.status).isEqualTo(200);
                await().atMost(WAIT).until(stream::ended);
                assertThat(stream.ids()).containsExactly(1L, 2L);
            }
        }

        @Test
        void anOverflowNotificationWakesFollowersToo() {
            UUID session = data.runningSession();
            try (SseStream stream = follow(session, "")) {
                // An append whose NOTIFY was lost, then an overflow hint: the re-read finds it.
                data.sql("UPDATE session.sessions SET event_seq = 1 WHERE id = $1", io.vertx.mutiny.sqlclient.Tuple.of(session));
                data.sql("INSERT INTO session.session_events (session_id, seq, at, type, source) VALUES ($1, 1, now(), 'quiet', 'system')",
                        io.vertx.mutiny.sqlclient.Tuple.of(session));
                data.notifySession(new JsonObject().put("overflow", 3));
                await().atMost(WAIT).until(() -> stream.events.size() == 1);
                assertThat(stream.events.get(0).name()).isEqualTo("quiet");
            }
        }

        @Test
        void hangingUpGivesTheSlotBack() {
            UUID session = data.runningSession();
            SseStream stream = follow(session, "");
            assertThat(followers.followerCount(session)).isEqualTo(1);
            stream.close();
            await().atMost(WAIT).until(() -> followers.followerCount(session) == 0);
        }
    }

    @Nested
    class Limits {

        @Test
        void theNinthFollowerOfASessionIs429WithRetryAfterUntilOneLeaves() throws Exception {
            UUID session = data.runningSession();
            List<SseStream> open = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    open.add(follow(session, ""));
                }
                SseStream refused = SseStream.open(session, "");
                assertThat(refused.status).isEqualTo(429);
                assertThat(refused.header("Retry-After")).isEqualTo("5");
                assertThat(refused.header("Content-Type")).startsWith(PROBLEM);
                JsonObject problem = new JsonObject(refused.body());
                assertThat(problem.getString("type")).isEqualTo("urn:fleet:problem:too-many-followers");
                assertThat(problem.getInteger("status")).isEqualTo(429);
                assertThat(problem.getInteger("limit")).isEqualTo(8);

                // Another session is not affected.
                UUID other = data.runningSession();
                follow(other, "").close();

                open.remove(0).close();
                await().atMost(WAIT).until(() -> followers.followerCount(session) == 7);
                open.add(follow(session, ""));
                append(session, "to-all");
                await().atMost(WAIT).until(() -> open.stream().allMatch(s -> s.events.size() == 1));
            } finally {
                open.forEach(SseStream::close);
            }
        }
    }
}
