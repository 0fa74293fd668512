package dev.fleet.scaler.policy;

import static dev.fleet.scaler.policy.Fixtures.POOL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.policy.Decision.Kind;
import dev.fleet.scaler.policy.Predictive.Formula;

/** A seasonal forecast learned from 14 days of a synthetic daily peak, and pre-scaling on it. */
class ForecastTest {

    /** Day 15, the first day after the samples. */
    static final Instant DAY_15 = Instant.parse("2026-11-15T00:00:00Z");
    static final Instant DAY_1 = DAY_15.minus(Duration.ofDays(14));

    /** Jobs in flight + waiting: 8 all day, 40 from 12:00 to 13:00 UTC, sampled every 5 minutes. */
    static List<Sample> fourteenDaysOfDemand() {
        List<Sample> samples = new ArrayList<>();
        for (Instant t = DAY_1; t.isBefore(DAY_15); t = t.plus(Duration.ofMinutes(5))) {
            int hour = t.atZone(ZoneOffset.UTC).getHour();
            samples.add(new Sample(t, hour == 12 ? 40 : 8));
        }
        return samples;
    }

    static Instant day15(String time) {
        return DAY_15.plusSeconds(LocalTime.parse(time).toSecondOfDay());
    }

    @Nested
    class Learning {

        static final SeasonalForecast DAILY = SeasonalForecast.learn("demand", fourteenDaysOfDemand(),
                SeasonalForecast.DAILY, Duration.ofHours(1));

        @Test
        void learnsTheDailyPeakAsSlotAveragesAnyoneCanRead() {
            List<SeasonalForecast.Slot> slots = DAILY.slots();
            assertThat(slots).hasSize(24);
            assertThat(slots.get(12).average()).isEqualTo(40);
            assertThat(slots.get(12).start()).isEqualTo(Duration.ofHours(12));
            assertThat(slots.get(12).samples()).isEqualTo(14 * 12);
            assertThat(slots.get(11).average()).isEqualTo(8);
        }

        @Test
        void forecastsBySlotAndPeaksOverAnInterval() {
            assertThat(DAILY.forecast(day15("12:30"))).hasValue(40);
            assertThat(DAILY.forecast(day15("11:59"))).hasValue(8);
            assertThat(DAILY.peak(day15("11:45"), day15("12:00"))).hasValue(40);
            assertThat(DAILY.peak(day15("11:44"), day15("11:59"))).hasValue(8);
            assertThat(DAILY.peak(day15("23:50"), day15("23:50").plus(Duration.ofHours(13)))).hasValue(40); // wraps
        }

        @Test
        void aWeeklySeasonStartsOnMondayAndTellsDaysApart() {
            List<Sample> mondayMornings = new ArrayList<>();
            Instant monday = Instant.parse("2026-11-02T09:00:00Z"); // a Monday
            for (int week = 0; week < 2; week++) {
                for (int day = 0; day < 7; day++) {
                    Instant t = monday.plus(Duration.ofDays(7L * week + day));
                    mondayMornings.add(new Sample(t, day == 0 ? 30 : 3));
                }
            }
            SeasonalForecast weekly = SeasonalForecast.learn("demand", mondayMornings);
            assertThat(weekly.slots()).hasSize(168);
            assertThat(weekly.slotOf(Instant.parse("2026-11-16T00:30:00Z"))).isZero(); // Monday 00:30
            assertThat(weekly.forecast(Instant.parse("2026-11-16T09:10:00Z"))).hasValue(30); // Monday
            assertThat(weekly.forecast(Instant.parse("2026-11-17T09:10:00Z"))).hasValue(3); // Tuesday
            assertThat(weekly.forecast(Instant.parse("2026-11-17T10:10:00Z"))).isEmpty(); // never sampled
            assertThat(weekly.slots().get(10).average()).isNaN();
        }

        @Test
        void refusesASeasonThatIsNotAWholeNumberOfSlots() {
            assertThatThrownBy(() -> SeasonalForecast.learn("demand", List.of(), Duration.ofHours(24), Duration.ofMinutes(7)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("season:");
        }
    }

    @Nested
    class PreScaling {

        static final PoolPolicy POLICY = PoolPolicy.builder(POOL, 1, 20).rules(List.of())
                .queueTarget(QueueTarget.of(4)).predictive(Predictive.of(Formula.JOBS_PER_INSTANCE)).build();
        static final SeasonalForecast FORECAST = SeasonalForecast.learn("demand", fourteenDaysOfDemand(),
                SeasonalForecast.DAILY, Duration.ofHours(1));

        static Decision evaluate(int instances, Instant now) {
            return PolicyEvaluator.evaluate(POLICY, PoolState.of(instances).withForecast(FORECAST), new MetricHistory(),
                    List.of(), now);
        }

        @Test
        void scalesOutALeadTimeBeforeThePredictedPeak() {
            Decision d = evaluate(2, day15("11:45"));
            assertThat(d.kind()).isEqualTo(Kind.SCALE_OUT);
            assertThat(d.to()).isEqualTo(10); // 40 jobs / 4 per instance
            assertThat(d.rule()).isEqualTo(Predictive.RULE);
            assertThat(d.inputs()).containsEntry("forecast:demand", 40.0);
            assertThat(d.reason()).isEqualTo("forecast demand 40 within 15 min needs 10 instances; 2 → 10");
            assertThat(evaluate(2, day15("11:44:59")).kind()).isEqualTo(Kind.NONE);
        }

        @Test
        void doesNothingFarFromThePeak() {
            Decision d = evaluate(2, day15("10:00"));
            assertThat(d.kind()).isEqualTo(Kind.NONE);
            assertThat(d.rule()).isEqualTo(Decision.NO_RULE);
        }

        @Test
        void neverScalesInBecauseOfTheForecast() {
            assertThat(evaluate(10, day15("14:00")).kind()).isEqualTo(Kind.NONE);
            assertThat(evaluate(12, day15("12:30")).kind()).isEqualTo(Kind.NONE); // more than the peak needs
        }

        @Test
        void holdsThePeakCapacityUntilThePeaksLastSlot() {
            assertThat(evaluate(2, day15("12:50")).to()).isEqualTo(10);
        }

        @Test
        void canUseTheTargetTrackingFormula() {
            SeasonalForecast util = SeasonalForecast.learn("utilisation",
                    fourteenDaysOfDemand().stream().map(s -> new Sample(s.at(), s.value() * 2)).toList(), // 16 % / 80 %
                    SeasonalForecast.DAILY, Duration.ofHours(1));
            PoolPolicy p = PoolPolicy.builder(POOL, 1, 20).rules(List.of())
                    .targetTracking(TargetTracking.around("utilisation", 50, 10))
                    .predictive(Predictive.of(Formula.TARGET_TRACKING)).build();
            Decision d = PolicyEvaluator.evaluate(p, PoolState.of(5).withForecast(util), new MetricHistory(), List.of(),
                    day15("11:45"));
            assertThat(d.to()).isEqualTo(8); // ceil(5 × 80 / 50)
        }
    }
}
