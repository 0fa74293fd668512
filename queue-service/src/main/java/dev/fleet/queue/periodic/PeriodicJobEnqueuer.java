package dev.fleet.queue.periodic;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.fleet.queue.config.QueueConfig;
import dev.fleet.queue.job.JobQueries;
import dev.fleet.queue.job.JobView;
import dev.fleet.queue.metrics.QueueMetrics;
import dev.fleet.queue.queue.QueueService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Turns the ticks of enabled periodic job definitions into jobs, exactly one job per tick
 * cluster-wide however many queue-service replicas run it.
 *
 * <p><b>Exactly once.</b> Every replica runs every pass. A definition's next tick is the first cron
 * tick after {@code greatest(last_tick_at, ticks_after)}; when it is due (judged by PostgreSQL's
 * clock), the replica moves {@code last_tick_at} to the tick with a compare-and-set
 * ({@code ... WHERE last_tick_at IS NOT DISTINCT FROM <what it read> AND updated_at = <what it read>})
 * and, in the same transaction, inserts the job and its NOTIFY. Only the replica whose update
 * matched a row enqueues; if its transaction fails, the tick is not consumed and the next pass
 * retries it. As a second guard the job carries the unique key {@code periodic:<name>:<tick epoch
 * seconds>}, so while that job is live no second one can be inserted for the same tick.
 *
 * <p><b>Missed ticks.</b> A pass handles only the latest due tick; older due ticks are dropped
 * whatever the policy. The latest due tick is <i>on time</i> when the pass sees it at most
 * {@code max(1 minute, 2 × fleet.queue.periodic-interval)} after it fell due; otherwise it was
 * <i>missed</i> (every replica was down, or the database unreachable, when it fell due). Ticks
 * that fall while a definition is disabled are not missed: re-enabling it restarts its schedule
 * from that moment ({@code ticks_after}), as does a change of cron or time zone. An on-time tick
 * is always enqueued. A missed tick is enqueued under {@link MissedPolicy#RUN_ONCE} and only
 * recorded (as {@code last_tick_at}, with nothing enqueued) under {@link MissedPolicy#SKIP}. The
 * window is at least a minute because that is cron's resolution (a tick is current during its
 * minute) and because a pass that runs a few intervals late (a slow database, a long pause) must
 * not lose a skip-policy tick; it grows with the interval so that a long interval still sees its
 * ticks on time.
 *
 * <p>Trade-off: a pass reads every enabled definition and evaluates cron in Java, and handles due
 * definitions one after another, each in its own short transaction. That suits hundreds of
 * definitions; a {@code next_tick_at} column with an index would be the step beyond.
 */
@Singleton
public class PeriodicJobEnqueuer {

    private static final Logger LOG = Logger.getLogger(PeriodicJobEnqueuer.class);
    static final Duration MIN_ON_TIME_WINDOW = Duration.ofMinutes(1);

    /** The tick a definition acts on in this pass, and whether a job is enqueued for it. */
    record DueTick(Instant at, boolean onTime, boolean enqueue) {
    }

    private final Pool pool;
    private final PeriodicJobQueries queries;
    private final JobQueries jobs;
    private final QueueService queues;
    private final QueueMetrics metrics;
    private final Duration onTimeWindow;

    PeriodicJobEnqueuer(Pool pool, PeriodicJobQueries queries, JobQueries jobs, QueueService queues,
            QueueMetrics metrics, QueueConfig config) {
        this.pool = pool;
        this.queries = queries;
        this.jobs = jobs;
        this.queues = queues;
        this.metrics = metrics;
        Duration twoIntervals = config.periodicInterval().multipliedBy(2);
        this.onTimeWindow = twoIntervals.compareTo(MIN_ON_TIME_WINDOW) > 0 ? twoIntervals : MIN_ON_TIME_WINDOW;
    }

    /** @return how many jobs this replica enqueued in this pass */
    public Uni<Integer> runOnce() {
        return queries.enabled().chain(snapshot -> {
            List<Uni<Integer>> work = new ArrayList<>();
            for (StoredPeriodicJob job : snapshot.jobs()) {
                Optional<CronSchedule> schedule = CronSchedule.tryParse(job.definition().cron(), job.definition().timeZone());
                if (schedule.isEmpty()) {
                    LOG.warnf("Periodic job %s has an unusable schedule '%s' in %s; skipped", job.definition().name(),
                            job.definition().cron(), job.definition().timeZone());
                    continue;
                }
                dueTick(schedule.get(), job.tickBase(), snapshot.now(), job.definition().missedPolicy(), onTimeWindow)
                        .ifPresent(tick -> work.add(Uni.createFrom().deferred(() -> handle(job, tick))));
            }
            if (work.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return Multi.createFrom().iterable(work).onItem().transformToUniAndConcatenate(uni -> uni)
                    .collect().asList().map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
        });
    }

    /**
     * The tick to act on, if any: the latest tick in {@code (base, now]}, enqueued if it is on time
     * (at most {@code onTimeWindow} old) or the policy is run-once.
     */
    static Optional<DueTick> dueTick(CronSchedule schedule, Instant base, Instant now, MissedPolicy policy,
            Duration onTimeWindow) {
        Optional<Instant> first = schedule.nextAfter(base);
        if (first.isEmpty() || first.get().isAfter(now)) {
            return Optional.empty();
        }
        Instant latest = schedule.latestAtOrBefore(now, first.get());
        boolean onTime = !latest.isBefore(now.minus(onTimeWindow));
        return Optional.of(new DueTick(latest, onTime, onTime || policy == MissedPolicy.RUN_ONCE));
    }

    /** The unique key of the job for one tick: the second guard against a duplicate. */
    static String uniqueKey(String name, Instant tick) {
        return "periodic:" + name + ":" + tick.getEpochSecond();
    }

    @Scheduled(every = "${fleet.queue.periodic-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return runOnce().replaceWithVoid();
    }

    /** One definition's tick: compare-and-set, and the job if this replica won and the tick is enqueued. */
    private Uni<Integer> handle(StoredPeriodicJob job, DueTick tick) {
        PeriodicJob definition = job.definition();
        // Outside the transaction, as JobService does: a queue row created inside a transaction that
        // then rolls back would be remembered as existing by QueueService.
        Uni<Void> queueReady = tick.enqueue() ? queues.ensureQueue(pool, definition.queue()) : Uni.createFrom().voidItem();
        return queueReady
                .chain(() -> pool.withTransaction(tx -> queries.advance(tx, job, tick.at())
                        .chain(won -> !won ? Uni.createFrom().item(Outcome.LOST)
                                : tick.enqueue() ? enqueue(tx, definition, tick) : Uni.createFrom().item(Outcome.SKIPPED))))
                .map(outcome -> record(definition, tick, outcome))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf(e, "Periodic job %s: tick %s not handled; the next pass retries it", definition.name(),
                            tick.at());
                    return 0;
                });
    }

    private enum Outcome {
        ENQUEUED, DUPLICATE, SKIPPED, LOST
    }

    private Uni<Outcome> enqueue(SqlConnection tx, PeriodicJob definition, DueTick tick) {
        JobQueries.NewJob newJob = new JobQueries.NewJob(definition.kind(), definition.payloadJson(),
                definition.priority(), null, null, uniqueKey(definition.name(), tick.at()), null, 1, null);
        return jobs.insert(tx, definition.queue(), List.of(newJob)).chain(inserted -> {
            Optional<JobView> created = inserted.get(0);
            if (created.isEmpty()) {
                return Uni.createFrom().item(Outcome.DUPLICATE);
            }
            return Uni.createFrom().item(Outcome.ENQUEUED); // the insert announced it on fleet_queue
        });
    }

    private int record(PeriodicJob definition, DueTick tick, Outcome outcome) {
        switch (outcome) {
            case ENQUEUED -> {
                metrics.enqueued(definition.queue(), 1);
                if (!tick.onTime()) {
                    LOG.infof("Periodic job %s: missed tick %s enqueued late (missed policy run-once)",
                            definition.name(), tick.at());
                }
            }
            case DUPLICATE -> LOG.infof("Periodic job %s: a live job already holds %s; tick %s enqueued nothing",
                    definition.name(), uniqueKey(definition.name(), tick.at()), tick.at());
            case SKIPPED -> LOG.infof("Periodic job %s: missed tick %s skipped (missed policy skip)",
                    definition.name(), tick.at());
            case LOST -> {
                return 0; // another replica handled the tick, or the definition changed since it was read
            }
        }
        metrics.periodicTick(definition.name(), outcome.name().toLowerCase(Locale.ROOT));
        return outcome == Outcome.ENQUEUED ? 1 : 0;
    }
}
