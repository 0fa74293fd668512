package dev.fleet.session.event;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.problem.ProblemException;
import dev.fleet.session.config.SessionConfig;
import dev.fleet.session.runner.RunnerCaller;
import dev.fleet.session.session.SessionStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgException;

/**
 * A session's event log: append a batch, read it backwards page by page, follow it live. The
 * configurable guardrails are enforced here, before any SQL runs; each request is then a single
 * statement (see {@link EventQueries}).
 */
@Singleton
public class EventService {

    /** PostgreSQL's "unsupported Unicode escape sequence": jsonb cannot hold {@code \u0000}. */
    private static final String UNSUPPORTED_ESCAPE = "22P05";

    private final EventQueries queries;
    private final EventFollowers followers;
    private final SessionConfig config;
    private final Clock clock;
    private final Pool pool;

    EventService(EventQueries queries, EventFollowers followers, SessionConfig config, Clock clock, Pool pool) {
        this.pool = pool;
        this.queries = queries;
        this.followers = followers;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Appends the batch in order; human and agent events count as the session's activity. A runner
     * ({@code caller} not null) may append only to a session it holds.
     */
    public Uni<AppendedEvents> appendEvents(UUID session, AppendEventsRequest request, RunnerCaller caller) {
        List<AppendEventsRequest.NewEvent> batch = request.events();
        SessionConfig.Events limits = config.events();
        if (batch.isEmpty()) {
            throw ProblemException.invalidField("events", "An append carries at least one event.");
        }
        if (batch.size() > limits.maxAppendBatch()) {
            throw ProblemException.tooLarge("events", limits.maxAppendBatch(), "The batch has " + batch.size()
                    + " events; an append carries at most " + limits.maxAppendBatch()
                    + " (fleet.session.events.max-append-batch). Split it into several appends.");
        }
        String[] types = new String[batch.size()];
        String[] sources = new String[batch.size()];
        String[] datas = new String[batch.size()];
        boolean human = false;
        boolean agent = false;
        for (int i = 0; i < batch.size(); i++) {
            AppendEventsRequest.NewEvent event = batch.get(i);
            EventSource source = event.sourceOrDefault();
            human |= source == EventSource.human;
            agent |= source == EventSource.agent;
            types[i] = event.type();
            sources[i] = source.name();
            datas[i] = event.data() == null || event.data().isNull() ? null : event.data().toString();
            int bytes = datas[i] == null ? 0 : datas[i].getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limits.maxDataBytes()) {
                throw ProblemException.tooLarge("events[" + i + "].data", limits.maxDataBytes(), "Event " + i + "'s data is "
                        + bytes + " bytes of JSON; an event carries at most " + limits.maxDataBytes()
                        + " (fleet.session.events.max-data-bytes).");
            }
        }
        Uni<Void> allowed = caller == null ? Uni.createFrom().voidItem()
                : queries.runnerOf(session).chain(runner -> caller.requireRunner(pool, runner, "Session " + session));
        boolean anyHuman = human;
        boolean anyAgent = agent;
        return allowed.chain(() -> queries.append(session, clock.instant(), config.idle().resumeMinActivity(), anyHuman,
                anyAgent, types, sources, datas))
                .onFailure(EventService::isUnsupportedEscape).transform(e -> ProblemException.invalidField("events",
                        "Event data cannot contain the character \\u0000 (PostgreSQL's jsonb does not store it)."))
                .map(appended -> appended.orElseThrow(() -> SessionStore.unknownSession(session)));
    }

    /** The newest {@code limit} events before {@code beforeSeq} (all when null), ascending. */
    public Uni<EventPage> listEvents(UUID session, Long beforeSeq, int limit) {
        int max = config.events().maxPerQuery();
        if (limit > max) {
            throw ProblemException.overLimit("limit", max,
                    "At most " + max + " events per query (fleet.session.events.max-per-query).");
        }
        return queries.page(session, beforeSeq == null ? Long.MAX_VALUE : beforeSeq, limit)
                .map(page -> EventPage.of(page.orElseThrow(() -> SessionStore.unknownSession(session))));
    }

    /**
     * Starts following the log: the events after {@code after} when given, else the newest
     * {@code tail} and then every new one. The limits (tail, followers per session and replica)
     * are checked before this returns, so a refusal is an ordinary problem response; the stream
     * itself is what the returned item carries.
     */
    public Uni<Multi<EventView>> followEvents(UUID session, int tail, Long after) {
        int maxTail = config.events().maxTailLines();
        if (tail > maxTail) {
            throw ProblemException.overLimit("tail", maxTail,
                    "A follow stream starts with at most " + maxTail + " events (fleet.session.events.max-tail-lines).");
        }
        EventFollower follower = followers.admit(session);
        return queries.head(session)
                .onFailure().invoke(follower::close)
                .onCancellation().invoke(follower::close)
                .map(head -> {
                    if (head.isEmpty()) {
                        follower.close();
                        throw SessionStore.unknownSession(session);
                    }
                    return follower.stream(after != null ? after : Math.max(0, head.get() - tail));
                });
    }

    private static boolean isUnsupportedEscape(Throwable failure) {
        return failure instanceof PgException pg && UNSUPPORTED_ESCAPE.equals(pg.getSqlState());
    }
}
