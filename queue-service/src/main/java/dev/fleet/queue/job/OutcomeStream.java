package dev.fleet.queue.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * One stream of a queue's job outcomes: every job of the queue that finishes (succeeded, dead,
 * cancelled) while it is open, oldest first, each once. A round registers a waiter, reads what
 * finished since its cursor and, when nothing did, waits for a {@code fleet_job} wake-up (or the
 * recheck interval); demand drives the rounds, so a slow client slows only its own stream.
 *
 * <p>{@code finished_at} is stamped inside the finishing transaction, so a job can become visible
 * after a later-stamped one. Each read therefore looks back {@link #LAG} behind the newest
 * timestamp sent and skips the ids it already sent from that window: at-least-once within the
 * window, exactly once for transactions that commit within {@link #LAG} of their stamp — a
 * finishing transaction is one short statement. The cost is re-reading that window per wake-up.
 */
final class OutcomeStream {

    /** How far back each read looks for jobs whose transaction committed after a later-stamped one. */
    static final Duration LAG = Duration.ofSeconds(2);
    private static final int PAGE = 500;
    /** Its own instance (not List.of(), which is the shared empty list every empty round returns). */
    private static final List<JobView> END = java.util.Collections.unmodifiableList(new ArrayList<>());

    private final String queue;
    private final JobQueries queries;
    private final ResultWaiters.QueueWatch watch;
    private final Duration recheck;
    private final Duration idle;
    private final Map<Long, Instant> sent = new HashMap<>(); // ids sent with a finished_at inside the window
    private Instant newest;
    private Instant floor;
    private long lastSentNanos = System.nanoTime();

    OutcomeStream(String queue, JobQueries queries, ResultWaiters.QueueWatch watch, Duration recheck, Duration idle) {
        this.queue = queue;
        this.queries = queries;
        this.watch = watch;
        this.recheck = recheck;
        this.idle = idle;
    }

    Multi<JobView> stream(Instant from) {
        newest = from;
        floor = from; // nothing that finished before the stream opened
        return Multi.createBy().repeating().uni(this::round).until(batch -> batch == END)
                .onItem().<JobView>disjoint()
                .onTermination().invoke(watch::close);
    }

    /** The next non-empty batch, or an empty one after a wait, or END once idle too long. */
    private Uni<List<JobView>> round() {
        if (System.nanoTime() - lastSentNanos > idle.toNanos()) {
            return Uni.createFrom().item(END);
        }
        ResultWaiters.Waiter waiter = watch.next();
        Instant back = newest.minus(LAG);
        return read(back.isBefore(floor) ? floor : back, 0, new ArrayList<>()).onFailure().invoke(waiter::leave).chain(fresh -> {
            if (!fresh.isEmpty()) {
                waiter.leave();
                lastSentNanos = System.nanoTime();
                return Uni.createFrom().item(fresh);
            }
            return waiter.await(recheck).replaceWith(List.<JobView>of());
        });
    }

    /** Pages through the window from (at, id); keeps the unsent jobs and moves the cursor. */
    private Uni<List<JobView>> read(Instant at, long id, List<JobView> fresh) {
        return queries.finishedAfter(queue, at, id, PAGE).chain(page -> {
            for (JobView job : page) {
                if (sent.putIfAbsent(job.id(), job.finishedAt()) == null) {
                    fresh.add(job);
                }
                if (job.finishedAt().isAfter(newest)) {
                    newest = job.finishedAt();
                }
            }
            Instant window = newest.minus(LAG);
            sent.values().removeIf(finished -> finished.isBefore(window));
            if (page.size() < PAGE || fresh.size() >= PAGE) {
                return Uni.createFrom().item(fresh);
            }
            JobView last = page.get(page.size() - 1);
            return read(last.finishedAt(), last.id(), fresh);
        });
    }
}
