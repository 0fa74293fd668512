package dev.fleet.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.health.LayerTracker.Change;

class LayerTrackerTest {

    @Nested
    class Scheduling {

        @Test
        void startsNothingBeforeTheFirstDueTime() {
            LayerTracker tracker = new LayerTracker(false, 1_000);
            assertThat(tracker.tryStart(999, 500)).isFalse();
            assertThat(tracker.tryStart(1_000, 500)).isTrue();
        }

        @Test
        void allowsOneCheckInFlightAndTheNextOneIntervalAfterTheStart() {
            LayerTracker tracker = new LayerTracker(false, 0);
            assertThat(tracker.tryStart(0, 500)).isTrue();
            assertThat(tracker.tryStart(10_000, 500)).as("previous still in flight").isFalse();
            tracker.record(true, 3, 2);
            assertThat(tracker.tryStart(10_000, 500)).isTrue();
            tracker.record(true, 3, 2);
            assertThat(tracker.tryStart(10_499, 500)).isFalse();
            assertThat(tracker.tryStart(10_500, 500)).isTrue();
        }
    }

    @Nested
    class Flipping {

        @Test
        void failsOnlyAfterTheConfiguredFailuresInARow() {
            LayerTracker tracker = new LayerTracker(false, 0);
            assertThat(tracker.record(false, 3, 2)).isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 3, 2)).isEqualTo(Change.NONE);
            assertThat(tracker.record(true, 3, 2)).as("a pass resets the run").isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 3, 2)).isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 3, 2)).isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 3, 2)).isEqualTo(Change.FAILED);
            assertThat(tracker.failed()).isTrue();
            assertThat(tracker.record(false, 3, 2)).as("already failed").isEqualTo(Change.NONE);
        }

        @Test
        void recoversOnlyAfterTheConfiguredSuccessesInARow() {
            LayerTracker tracker = new LayerTracker(true, 0);
            assertThat(tracker.record(true, 1, 3)).isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 1, 3)).as("a failure resets the run").isEqualTo(Change.NONE);
            assertThat(tracker.record(true, 1, 3)).isEqualTo(Change.NONE);
            assertThat(tracker.record(true, 1, 3)).isEqualTo(Change.NONE);
            assertThat(tracker.record(true, 1, 3)).isEqualTo(Change.RECOVERED);
            assertThat(tracker.failed()).isFalse();
        }

        @Test
        void passesOfAHealthyLayerChangeNothing() {
            LayerTracker tracker = new LayerTracker(false, 0);
            assertThat(tracker.record(true, 1, 1)).isEqualTo(Change.NONE);
            assertThat(tracker.record(false, 1, 1)).isEqualTo(Change.FAILED);
            assertThat(tracker.record(true, 1, 1)).isEqualTo(Change.RECOVERED);
        }
    }
}
