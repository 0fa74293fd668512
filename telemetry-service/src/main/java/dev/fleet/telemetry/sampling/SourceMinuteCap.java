package dev.fleet.telemetry.sampling;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

/**
 * The per-source, per-minute cap of ingest: counts each source's samples in the current minute (of
 * the injected clock) and admits at most {@code per-source-per-minute} of them. Counted per replica,
 * in memory: behind a load balancer spreading a source over n replicas a source may store up to n
 * times the cap, which bounds a runaway reporter just as well and costs no database round trip on the
 * hot path. Counters of past minutes are dropped when the minute turns.
 */
@Singleton
public class SourceMinuteCap {

    private final int cap;
    private final Clock clock;
    private final Map<String, int[]> counts = new ConcurrentHashMap<>();
    private volatile long minute = Long.MIN_VALUE;

    SourceMinuteCap(SamplingConfig config, Clock clock) {
        this.cap = config.perSourcePerMinute();
        this.clock = clock;
    }

    /** Takes up to {@code wanted} samples of {@code source} from this minute's allowance; @return how many were granted. */
    public int admit(String source, int wanted) {
        if (cap == 0) {
            return wanted;
        }
        long now = Math.floorDiv(clock.millis(), 60_000L);
        if (now != minute) {
            turn(now);
        }
        int[] used = counts.computeIfAbsent(source, s -> new int[1]);
        synchronized (used) {
            int granted = Math.max(0, Math.min(wanted, cap - used[0]));
            used[0] += granted;
            return granted;
        }
    }

    private synchronized void turn(long now) {
        if (now != minute) {
            counts.clear();
            minute = now;
        }
    }
}
