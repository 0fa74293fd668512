package dev.fleet.session.event;

import static dev.fleet.session.event.EventTestData.PROBLEM;
import static dev.fleet.session.event.EventTestData.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/** The idle timeout and the per-session cap, with {@link TightFollowLimitsProfile}'s small values. */
@QuarkusTest
@TestProfile(TightFollowLimitsProfile.class)
class EventStreamLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration IDLE = TightFollowLimitsProfile.IDLE_TIMEOUT;

    @Inject
    EventTestData data;

    @Inject
    EventFollowers followers;

    @Test
    void aStreamThatSendsNothingForTheIdleTimeoutIsClosedAndItsSlotFreed() {
        UUID session = data.runningSession();
        long opened = System.nanoTime();
        try (SseStream stream = SseStream.open(session, "")) {
            assertThat(stream.status).isEqualTo(200);
            await().atMost(WAIT).until(stream::ended);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(IDLE.minusMillis(100));
            assertThat(stream.events).isEmpty();
            await().atMost(WAIT).until(() -> followers.followerCount(session) == 0);
        }
    }

    @Test
    void streamsThatKeepSendingStayOpenAThirdIsRefusedAndSilenceClosesThem() throws Exception {
        UUID session = data.runningSession();
        // The first append and stream of a fresh application are slow; keep them out of the timing.
        append(session, "warm-up");
        UUID elsewhere = data.runningSession();
        try (SseStream warmUp = SseStream.open(elsewhere, "tail=1")) {
            append(elsewhere, "warm-up");
            await().atMost(WAIT).until(() -> !warmUp.events.isEmpty());
        }
        ScheduledExecutorService appender = Executors.newSingleThreadScheduledExecutor();
        List<Throwable> appendFailures = new CopyOnWriteArrayList<>();
        // An event every 100 ms keeps every stream of the session well inside the 3 s idle timeout.
        appender.scheduleAtFixedRate(() -> {
            try {
                append(session, "beat");
            } catch (Throwable e) {
                appendFailures.add(e); // a throwing task would silently stop the schedule
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        long opened = System.nanoTime();
        try (SseStream first = SseStream.open(session, ""); SseStream second = SseStream.open(session, "")) {
            assertThat(first.status).isEqualTo(200);
            assertThat(second.status).isEqualTo(200);

            try (SseStream third = SseStream.open(session, "")) {
                assertThat(third.status).isEqualTo(429);
                assertThat(third.header("Retry-After")).isEqualTo("5");
                assertThat(third.header("Content-Type")).startsWith(PROBLEM);
                JsonObject problem = new JsonObject(third.body());
                assertThat(problem.getString("type")).isEqualTo("urn:fleet:problem:too-many-followers");
                assertThat(problem.getInteger("limit")).isEqualTo(2);
            }

            // Open for well past the idle timeout and twenty beats later, both are still streaming:
            // sending resets the idle clock.
            Duration outlived = IDLE.plusSeconds(2);
            await().atMost(WAIT).until(() -> Duration.ofNanos(System.nanoTime() - opened).compareTo(outlived) > 0
                    && first.events.size() >= 20 && second.events.size() >= 20);
            assertThat(appendFailures).isEmpty();
            assertThat(first.ended()).isFalse();
            assertThat(second.ended()).isFalse();
            assertThat(followers.followerCount(session)).isEqualTo(2);

            appender.shutdown();
            assertThat(appender.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).until(() -> first.ended() && second.ended());
            for (SseStream stream : List.of(first, second)) {
                List<Long> ids = stream.ids(); // consecutive: nothing lost, repeated or reordered
                assertThat(ids).containsExactlyElementsOf(LongStream.rangeClosed(ids.get(0), ids.get(ids.size() - 1)).boxed().toList());
            }
            await().atMost(WAIT).until(() -> followers.followerCount(session) == 0);
        } finally {
            appender.shutdownNow();
        }

        try (SseStream again = SseStream.open(session, "")) {
            assertThat(again.status).isEqualTo(200);
        }
    }
}
