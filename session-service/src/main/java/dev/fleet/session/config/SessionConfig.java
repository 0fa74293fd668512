package dev.fleet.session.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * session-service settings ({@code fleet.session.*}). Defaults are the field's usual values; every
 * key is listed in session-service/README.md.
 */
@ConfigMapping(prefix = "fleet.session")
public interface SessionConfig {

    /** Runner health windows and placement. */
    Runners runners();

    /** Ranges the per-host resources of a live session are allocated from. */
    Leases leases();

    /** Long-running operations: timeouts per kind, retention, restart throttling. */
    Operations operations();

    /** Event logs, follow streams and query guardrails. */
    Events events();

    /** Idle auto-pause and its hysteresis. */
    Idle idle();

    /** The runner channel: one WebSocket per runner (docs/runner-protocol.md). */
    RunnerChannel channel();

    /** Most sessions one listing returns (400 beyond). */
    @WithDefault("1000")
    int maxSessionsPerQuery();

    /** How long a session may wait for a runner when it asked to wait (then it expires). */
    @WithDefault("5m")
    Duration pendingTimeout();

    /** Retry-After of a session create refused for lack of capacity. */
    @WithDefault("5s")
    Duration placementRetryAfter();

    /** Sessions on a runner silent this long go to error ("runner connection lost"). */
    @WithDefault("10m")
    Duration staleAfter();

    /** How often pending sessions are placed and timed-out operations ended. */
    @WithDefault("1s")
    Duration sweepInterval();

    /** Ended sessions (with their events and operations) are deleted this long after they ended. */
    @WithDefault("7d")
    Duration retention();

    /** How often finished operations and ended sessions past retention are pruned. */
    @WithDefault("1m")
    Duration pruneInterval();

    /** How often the runner and session gauges are refreshed. */
    @WithDefault("10s")
    Duration metricsInterval();

    /** How often stale recovery runs (one replica at a time). */
    @WithDefault("5s")
    Duration recoveryInterval();

    interface Runners {
        /** Heartbeat cadence told to runners at registration. */
        @WithDefault("5s")
        Duration heartbeatInterval();

        /** A runner this late is degraded. */
        @WithDefault("15s")
        Duration degradedAfter();

        /** A runner this late is unhealthy. */
        @WithDefault("30s")
        Duration unhealthyAfter();

        /** A runner this late is gone (the field's alert threshold). */
        @WithDefault("60s")
        Duration goneAfter();

        /** A gone runner without live sessions is forgotten after this long. */
        @WithDefault("1h")
        Duration forgetAfter();

        /** CPU percentage at or above which a runner reports itself overloaded (degraded). */
        @WithDefault("90")
        double overloadCpuPercent();

        /** Memory percentage at or above which a runner is overloaded (degraded). */
        @WithDefault("90")
        double overloadMemoryPercent();

        /** How often late runners' health is re-derived. */
        @WithDefault("1s")
        Duration healthInterval();
    }

    interface Leases {
        /** Lowest X11 display number. */
        @WithDefault("100")
        int displayMin();

        /** Highest X11 display number. */
        @WithDefault("999")
        int displayMax();

        /** First port of the port range. */
        @WithDefault("20000")
        int portMin();

        /** Last port of the port range. */
        @WithDefault("29999")
        int portMax();

        /** Ports in one session's block. */
        @WithDefault("10")
        int portBlockSize();

        /** Volume/prefix names are this prefix plus a number. */
        @WithDefault("fleet-vol-")
        String volumePrefix();

        /** Volume numbers run from 0 to this, inclusive. */
        @WithDefault("999")
        int volumeMax();
    }

    interface Operations {
        /** Timeout per operation kind; an operation still open past it ends with DEADLINE_EXCEEDED. */
        Timeouts timeouts();

        /** Finished operations kept per session (newest first); older ones are pruned. */
        @WithDefault("500")
        int maxKept();

        /** Finished operations are pruned this long after they ended. */
        @WithDefault("86400s")
        Duration ttl();

        /** Most operations one listing returns (400 beyond). */
        @WithDefault("500")
        int maxPerQuery();

        /** Component restarts allowed per component and window. */
        @WithDefault("3")
        int restartMaxPerWindow();

        /** The restart-counting window. */
        @WithDefault("5m")
        Duration restartWindow();

        /** Least time between restarts of a component; doubles with each restart in the window. */
        @WithDefault("1s")
        Duration restartBackoffBase();

        /** Cap of that doubling. */
        @WithDefault("60s")
        Duration restartBackoffMax();
    }

    interface Timeouts {
        /** Start (the app run): placed to running. */
        @WithDefault("30s")
        Duration start();

        /** Stop (shutdown, recording stop included). */
        @WithDefault("20s")
        Duration stop();

        @WithDefault("10s")
        Duration pause();

        @WithDefault("10s")
        Duration resume();

        /** Restart of one component. */
        @WithDefault("3s")
        Duration restart();

        /** Handover to another runner. */
        @WithDefault("60s")
        Duration handover();
    }

    interface Events {
        /** Most events one read returns (400 beyond). */
        @WithDefault("2000")
        int maxPerQuery();

        /** Most backlog events a follow stream starts with (400 beyond). */
        @WithDefault("2000")
        int maxTailLines();

        /** Most events one append carries (413 beyond). */
        @WithDefault("1000")
        int maxAppendBatch();

        /** Largest event data, in bytes of JSON (413 beyond). */
        @WithDefault("65536")
        int maxDataBytes();

        /** Concurrent follow streams per session and replica (429 beyond). */
        @WithDefault("8")
        int maxFollowers();

        /** Concurrent follow streams per replica over all sessions (429 beyond). */
        @WithDefault("512")
        int maxFollowersTotal();

        /** A follow stream that sent nothing this long is closed. */
        @WithDefault("300s")
        Duration followIdleTimeout();
    }

    interface Idle {
        /** A session whose human has been idle this long (and agent too) is auto-paused. */
        @WithDefault("180s")
        Duration humanAfter();

        /** A session whose agent has been idle this long (and human too) is auto-paused. */
        @WithDefault("180s")
        Duration agentAfter();

        /** Activity after an auto-pause must last this long before it resumes the session. */
        @WithDefault("10s")
        Duration resumeMinActivity();

        /** An auto-pause lasts at least this long. */
        @WithDefault("15s")
        Duration minPause();

        /** Least time between two resumes of a session. */
        @WithDefault("10s")
        Duration resumeCooldown();

        /** How often idle sessions are looked for. */
        @WithDefault("1s")
        Duration interval();
    }

    interface RunnerChannel {
        /** A pushed operation not acknowledged this long is sent again on the same socket. */
        @WithDefault("5s")
        Duration ackTimeout();

        /** How often the service pings an open socket. */
        @WithDefault("15s")
        Duration pingInterval();

        /** A socket silent this long (no message, no pong) is closed; the runner reconnects or polls. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** Open channels one replica holds; more get 503 at the handshake. */
        @WithDefault("10000")
        int maxChannels();

        /** Largest message a runner may send, in bytes (the message is refused with 413). */
        @WithDefault("262144")
        int maxMessageBytes();
    }
}
