package dev.fleet.session.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.session.IdlePolicy.Decision;

/** The idle rule alone, over instants the test chooses: no clock, no database. */
class IdlePolicyTest {

    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    static final SessionConfig.Idle RULES = new SessionConfig.Idle() {
        public Duration humanAfter() { return Duration.ofSeconds(180); }
        public Duration agentAfter() { return Duration.ofSeconds(180); }
        public Duration resumeMinActivity() { return Duration.ofSeconds(10); }
        public Duration minPause() { return Duration.ofSeconds(15); }
        public Duration resumeCooldown() { return Duration.ofSeconds(10); }
        public Duration interval() { return Duration.ofSeconds(1); }
    };

    static SessionRow running(Instant lastHuman, Instant lastAgent, long humanMs, long agentMs) {
        return new SessionRow(UUID.randomUUID(), "p", null, SessionState.running, UUID.randomUUID(), "h", true,
                humanMs, agentMs, lastHuman, lastAgent, false, null, null, null);
    }

    static SessionRow autoPaused(Instant pausedAt, Instant resumedAt, Instant activitySince, Instant lastActivity) {
        return new SessionRow(UUID.randomUUID(), "p", null, SessionState.paused, UUID.randomUUID(), "h", true,
                180_000, 180_000, lastActivity, T0, true, pausedAt, resumedAt, activitySince);
    }

    @Nested
    class Pause {

        @Test
        void pausesExactlyWhenBothHumanAndAgentAreIdlePastTheirThresholds() {
            SessionRow s = running(T0, T0.plusSeconds(60), 180_000, 120_000);
            assertThat(IdlePolicy.decide(s, T0.plusSeconds(179), RULES)).isEqualTo(Decision.NONE);
            assertThat(IdlePolicy.decide(s, T0.plusSeconds(180), RULES)).isEqualTo(Decision.PAUSE);
            // The agent was active later; with a longer agent threshold it keeps the session up.
            SessionRow busyAgent = running(T0, T0.plusSeconds(100), 180_000, 180_000);
            assertThat(IdlePolicy.decide(busyAgent, T0.plusSeconds(200), RULES)).isEqualTo(Decision.NONE);
            assertThat(IdlePolicy.decide(busyAgent, T0.plusSeconds(280), RULES)).isEqualTo(Decision.PAUSE);
        }

        @Test
        void neverPausesWithAutoPauseOff() {
            SessionRow s = running(T0, T0, 1, 1);
            SessionRow off = new SessionRow(s.id(), "p", null, SessionState.running, s.runnerId(), "h", false, 1, 1, T0, T0,
                    false, null, null, null);
            assertThat(IdlePolicy.decide(off, T0.plusSeconds(3600), RULES)).isEqualTo(Decision.NONE);
        }
    }

    @Nested
    class ResumeHysteresis {

        @Test
        void aBriefFlickerOfActivityDoesNotResume() {
            Instant paused = T0;
            SessionRow flicker = autoPaused(paused, null, paused.plusSeconds(20), paused.plusSeconds(22));
            assertThat(IdlePolicy.decide(flicker, paused.plusSeconds(23), RULES)).isEqualTo(Decision.NONE);
        }

        @Test
        void activityLastingTheMinimumResumesOnceThePauseHasLastedItsMinimum() {
            Instant paused = T0;
            // Activity from +1 s to +11 s lasted 10 s, but the pause is younger than 15 s.
            SessionRow early = autoPaused(paused, null, paused.plusSeconds(1), paused.plusSeconds(11));
            assertThat(IdlePolicy.decide(early, paused.plusSeconds(12), RULES)).isEqualTo(Decision.NONE);
            assertThat(IdlePolicy.decide(early, paused.plusSeconds(15), RULES)).isEqualTo(Decision.RESUME);
        }

        @Test
        void activityThatStoppedLongAgoDoesNotResume() {
            Instant paused = T0;
            SessionRow stale = autoPaused(paused, null, paused.plusSeconds(1), paused.plusSeconds(11));
            assertThat(IdlePolicy.decide(stale, paused.plusSeconds(22), RULES)).isEqualTo(Decision.NONE);
        }

        @Test
        void resumesAreSeparatedByTheCooldown() {
            SessionConfig.Idle longCooldown = new SessionConfig.Idle() {
                public Duration humanAfter() { return RULES.humanAfter(); }
                public Duration agentAfter() { return RULES.agentAfter(); }
                public Duration resumeMinActivity() { return RULES.resumeMinActivity(); }
                public Duration minPause() { return RULES.minPause(); }
                public Duration resumeCooldown() { return Duration.ofSeconds(60); }
                public Duration interval() { return RULES.interval(); }
            };
            Instant paused = T0.plusSeconds(100);
            Instant lastResume = paused.minusSeconds(5);
            // Activity ongoing from +20 s; the pause has lasted its 15 s, but the last resume is not 60 s old until +55 s.
            SessionRow at30 = autoPaused(paused, lastResume, paused.plusSeconds(20), paused.plusSeconds(30));
            assertThat(IdlePolicy.decide(at30, paused.plusSeconds(30), longCooldown)).isEqualTo(Decision.NONE);
            SessionRow at55 = autoPaused(paused, lastResume, paused.plusSeconds(20), paused.plusSeconds(55));
            assertThat(IdlePolicy.decide(at55, paused.plusSeconds(55), longCooldown)).isEqualTo(Decision.RESUME);
        }

        @Test
        void aManualPauseIsNeverUndoneByActivity() {
            SessionRow manual = new SessionRow(UUID.randomUUID(), "p", null, SessionState.paused, UUID.randomUUID(), "h",
                    true, 180_000, 180_000, T0.plusSeconds(30), T0, false, T0, null, T0.plusSeconds(1));
            assertThat(IdlePolicy.decide(manual, T0.plusSeconds(30), RULES)).isEqualTo(Decision.NONE);
        }
    }
}
