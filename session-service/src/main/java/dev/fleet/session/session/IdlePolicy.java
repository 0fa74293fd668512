package dev.fleet.session.session;

import java.time.Duration;
import java.time.Instant;

import dev.fleet.session.config.SessionConfig;

/**
 * Idle auto-pause, a pure rule over a session row and the time (tested with a clock, no sleeps).
 *
 * <p>Pause: a running session with auto-pause on whose human has been idle past its human
 * threshold and whose agent has been idle past its agent threshold.
 *
 * <p>Resume, with hysteresis so a flicker of input cannot make it flap: only a session this rule
 * paused; the activity since the pause must have lasted {@code resumeMinActivity} and still be
 * going (its last event no older than that); the pause must have lasted {@code minPause}; and the
 * previous resume must be {@code resumeCooldown} ago.
 */
public final class IdlePolicy {

    /** What the rule says to do now. */
    public enum Decision {
        PAUSE, RESUME, NONE
    }

    private IdlePolicy() {
    }

    public static Decision decide(SessionRow s, Instant now, SessionConfig.Idle rules) {
        if (!s.autoPause()) {
            return Decision.NONE;
        }
        if (s.state() == SessionState.running) {
            boolean humanIdle = !now.isBefore(s.lastHumanActivityAt().plusMillis(s.idleHumanMs()));
            boolean agentIdle = !now.isBefore(s.lastAgentActivityAt().plusMillis(s.idleAgentMs()));
            return humanIdle && agentIdle ? Decision.PAUSE : Decision.NONE;
        }
        if (s.state() != SessionState.paused || !s.autoPaused() || s.activitySince() == null) {
            return Decision.NONE;
        }
        Instant last = s.lastActivityAt();
        boolean lasted = Duration.between(s.activitySince(), last).compareTo(rules.resumeMinActivity()) >= 0;
        boolean ongoing = Duration.between(last, now).compareTo(rules.resumeMinActivity()) <= 0;
        boolean pausedLongEnough = s.pausedAt() == null || !now.isBefore(s.pausedAt().plus(rules.minPause()));
        boolean cooledDown = s.resumedAt() == null || !now.isBefore(s.resumedAt().plus(rules.resumeCooldown()));
        return lasted && ongoing && pausedLongEnough && cooledDown ? Decision.RESUME : Decision.NONE;
    }
}
