package dev.fleet.telemetry.finding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import dev.fleet.telemetry.finding.FindingQueries.SourceCounts;
import dev.fleet.telemetry.input.InputReadings;
import dev.fleet.telemetry.input.QueueReading;
import dev.fleet.telemetry.input.RunnerReading;

/**
 * One pool's figures at one evaluation, put together from its runners (session-service), its
 * queue (queue-service; named like the pool unless {@code inputs.pool-queues} says otherwise) and
 * the samples of the window. An unknown figure is NaN (no runner reports it, its input was not read,
 * or too few samples), and an indicator on NaN never holds.
 *
 * @param healthyShare live runners not unhealthy over live runners (not gone, not draining); 0 when
 *                     every registered runner is gone (a pool that died must not look fine)
 * @param slotsBusy    live sessions over the live runners' slots (maxSessions)
 * @param responseMs   average of the live runners' reported avgResponseMs
 * @param queueGrew    available depth above the previous evaluation's
 * @param jobWaitMs    the larger of the queue's job samples' p95 waitMs and its oldest waiting job's age
 * @param errorRate    error share of the samples the pool's runners (sources = runner ids) sent
 */
record PoolFigures(String pool, String queue, double healthyShare, double cpuPercent, double memoryPercent,
        double responseMs, double slotsBusy, double queueAvailable, boolean queueGrew, double jobWaitMs,
        double errorRate) {

    /** The pools the runners name, sorted by name. */
    static List<PoolFigures> of(InputReadings read, Map<String, String> poolQueues, Map<String, Boolean> grew,
            Map<String, SourceCounts> bySource, Map<String, Double> jobWaitP95, int minSamples) {
        if (!read.runnersRead()) {
            return List.of();
        }
        Map<String, QueueReading> queues = new HashMap<>();
        if (read.queuesRead()) {
            read.queues().forEach(q -> queues.put(q.name(), q));
        }
        Map<String, List<RunnerReading>> byPool = new TreeMap<>();
        read.runners().forEach(r -> byPool.computeIfAbsent(r.pool(), p -> new ArrayList<>()).add(r));
        List<PoolFigures> pools = new ArrayList<>();
        byPool.forEach((pool, runners) -> {
            String queue = poolQueues.getOrDefault(pool, pool);
            pools.add(pool(pool, queue, runners, read.queuesRead(), queues.get(queue), grew.getOrDefault(queue, false),
                    bySource, jobWaitP95.getOrDefault(queue, Double.NaN), minSamples));
        });
        return pools;
    }

    private static PoolFigures pool(String pool, String queue, List<RunnerReading> runners, boolean queuesRead,
            QueueReading q, boolean grew, Map<String, SourceCounts> bySource, double waitP95, int minSamples) {
        List<RunnerReading> live = runners.stream().filter(RunnerReading::live).toList();
        boolean allGone = !runners.isEmpty() && runners.stream().allMatch(r -> r.health().equals("gone"));
        double healthy = live.isEmpty() ? (allGone ? 0 : Double.NaN)
                : (double) live.stream().filter(RunnerReading::up).count() / live.size();
        long slots = live.stream().mapToLong(RunnerReading::maxSessions).sum();
        double busy = slots == 0 ? Double.NaN : (double) live.stream().mapToLong(RunnerReading::liveSessions).sum() / slots;
        long samples = 0;
        long errors = 0;
        for (RunnerReading r : runners) {
            SourceCounts c = bySource.get(r.id());
            if (c != null) {
                samples += c.samples();
                errors += c.errors();
            }
        }
        double errorRate = samples >= minSamples && samples > 0 ? (double) errors / samples : Double.NaN;
        // A queue queue-service does not list has never had a job: depth 0. Unread: unknown.
        double available = !queuesRead ? Double.NaN : q == null ? 0 : q.available();
        double oldest = q == null ? Double.NaN : q.oldestAvailableMs();
        double wait = Double.isNaN(waitP95) ? oldest : Double.isNaN(oldest) ? waitP95 : Math.max(waitP95, oldest);
        return new PoolFigures(pool, queue, healthy, average(live, RunnerReading::cpuPercent),
                average(live, RunnerReading::memoryPercent), average(live, RunnerReading::avgResponseMs), busy,
                available, grew, wait, errorRate);
    }

    /** The average of the figures the runners report (NaN when none does). */
    private static double average(List<RunnerReading> runners, ToDoubleFunction<RunnerReading> figure) {
        return runners.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }
}
