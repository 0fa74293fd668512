package dev.fleet.session.event;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import dev.fleet.platform.time.Timestamps;
import dev.fleet.session.session.SessionState;
import dev.fleet.session.session.SessionStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * SQL over {@code session.session_events} (and the {@code event_seq} counter of its session). Each
 * method is one statement, one round trip; times are parameters from the service clock.
 */
@Singleton
class EventQueries {

    // One statement appends a batch. The UPDATE takes the session row's lock, so concurrent appends
    // to one session queue up there and each gets the next block of seqs: gapless, in commit order
    // (a later block can never become visible before an earlier one). The same UPDATE records the
    // activity (human and agent apart; greatest() so a replica whose clock lags cannot move it back)
    // and, for an auto-paused session, when the current burst of activity began: a quiet gap longer
    // than resume-min-activity starts a new burst. SET expressions read the row as it was.
    // The NOTIFY rides in the same statement and is delivered at commit; the final SELECT names
    // the CTE so it runs (a SELECT CTE nobody reads is never evaluated).
    static final String APPEND = """
            WITH claimed AS (
                UPDATE session.sessions SET event_seq = event_seq + $2::bigint,
                    last_human_activity_at = CASE WHEN $3::boolean THEN greatest(last_human_activity_at, $5::timestamptz)
                                                  ELSE last_human_activity_at END,
                    last_agent_activity_at = CASE WHEN $4::boolean THEN greatest(last_agent_activity_at, $5::timestamptz)
                                                  ELSE last_agent_activity_at END,
                    activity_since = CASE
                        WHEN state = 'paused' AND auto_paused AND ($3::boolean OR $4::boolean) THEN
                            CASE WHEN activity_since IS NULL
                                      OR $5::timestamptz - greatest(last_human_activity_at, last_agent_activity_at)
                                         > interval '1 millisecond' * $6::bigint
                                 THEN $5::timestamptz ELSE activity_since END
                        ELSE activity_since END
                WHERE id = $1::uuid
                RETURNING event_seq),
            inserted AS (
                INSERT INTO session.session_events (session_id, seq, at, type, source, data)
                SELECT $1::uuid, claimed.event_seq - $2::bigint + e.n, $5::timestamptz, e.type, e.source, e.data::jsonb
                FROM claimed, unnest($7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS e(type, source, data, n)),
            announced AS (
                SELECT pg_notify('fleet_session',
                                 json_build_object('event', 'events', 'session', $1::uuid, 'seq', event_seq)::text)
                FROM claimed)
            SELECT event_seq - $2::bigint + 1 AS first_seq, event_seq AS last_seq,
                   (SELECT count(*) FROM announced) AS announced
            FROM claimed""";

    // The newest events before a seq: a backward scan of the primary key (session_id, seq) that
    // stops after $3 rows, so its cost does not grow with the log. Seqs are gapless, so those rows
    // are exactly [S - $3, S) with S = least($2, event_seq + 1); saying so bounds the scan in the
    // index condition too, so even a plan that ignores the LIMIT (a bitmap scan plus sort, which a
    // generic plan sized for the average session may pick) reads at most $3 rows. Joined to the
    // session row so one round trip also tells "no such session" (no row) from "no events" (one
    // row of nulls).
    static final String PAGE = """
            SELECT e.* FROM session.sessions s
            LEFT JOIN LATERAL (
                SELECT %s FROM session.session_events
                WHERE session_id = s.id AND seq < least($2::bigint, s.event_seq + 1)
                  AND seq >= least($2::bigint, s.event_seq + 1) - $3::int
                ORDER BY seq DESC LIMIT $3::int) e ON true
            WHERE s.id = $1
            ORDER BY e.seq""".formatted(EventView.COLUMNS);

    // What a follower has not seen yet, oldest first: a forward scan of the primary key from its
    // cursor, bounded the same way (at most $3 seqs past the cursor, never past event_seq + $3,
    // so a far-off cursor cannot overflow). The session's state comes from the same snapshot, so
    // "final, and nothing after the cursor" proves the follower has sent everything the session
    // logged before it ended.
    static final String AFTER = """
            SELECT s.state, e.* FROM session.sessions s
            LEFT JOIN LATERAL (
                SELECT %s FROM session.session_events
                WHERE session_id = s.id AND seq > $2::bigint AND seq <= least($2::bigint, s.event_seq) + $3::int
                ORDER BY seq LIMIT $3::int) e ON true
            WHERE s.id = $1
            ORDER BY e.seq""".formatted(EventView.COLUMNS);

    // Where a new follower starts: the highest seq handed out (every event up to it is committed,
    // because it moves in the same transaction as the insert).
    static final String HEAD = "SELECT event_seq FROM session.sessions WHERE id = $1";

    // Who holds a session, for the check that a runner appends only to its own sessions.
    static final String RUNNER_OF = "SELECT runner_id FROM session.sessions WHERE id = $1";

    /** What a follower read: the session's state then, and up to the asked-for number of events. */
    record Batch(SessionState state, List<EventView> events) {
    }

    private final Pool pool;

    EventQueries(Pool pool) {
        this.pool = pool;
    }

    /** Appends the batch; empty when there is no such session. */
    Uni<Optional<AppendedEvents>> append(UUID session, Instant now, Duration resumeMinActivity, boolean human,
            boolean agent, String[] types, String[] sources, String[] datas) {
        Tuple args = Tuple.from(new Object[] { session, (long) types.length, human, agent, Timestamps.param(now),
                resumeMinActivity.toMillis(), types, sources, datas });
        return pool.preparedQuery(APPEND).execute(args).map(rows -> first(rows)
                .map(row -> new AppendedEvents(row.getLong("first_seq"), row.getLong("last_seq"))));
    }

    /** The newest {@code limit} events before {@code beforeSeq}, ascending; empty when there is no such session. */
    Uni<Optional<List<EventView>>> page(UUID session, long beforeSeq, int limit) {
        return pool.preparedQuery(PAGE).execute(Tuple.of(session, beforeSeq, limit)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            return Optional.of(events(rows));
        });
    }

    /** Up to {@code limit} events after {@code cursor}, ascending, with the session's state; null state when it is gone. */
    Uni<Batch> after(UUID session, long cursor, int limit) {
        return pool.preparedQuery(AFTER).execute(Tuple.of(session, cursor, limit)).map(rows -> {
            if (rows.size() == 0) {
                return new Batch(null, List.of());
            }
            return new Batch(SessionState.valueOf(rows.iterator().next().getString("state")), events(rows));
        });
    }

    /** The runner holding the session, null when none does; fails with 404 when there is no such session. */
    Uni<UUID> runnerOf(UUID session) {
        return pool.preparedQuery(RUNNER_OF).execute(Tuple.of(session))
                .map(rows -> first(rows).orElseThrow(() -> SessionStore.unknownSession(session)).getUUID("runner_id"));
    }

    /** The session's highest seq; empty when there is no such session. */
    Uni<Optional<Long>> head(UUID session) {
        return pool.preparedQuery(HEAD).execute(Tuple.of(session)).map(rows -> first(rows).map(row -> row.getLong("event_seq")));
    }

    private static List<EventView> events(RowSet<Row> rows) {
        List<EventView> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            if (row.getValue("seq") != null) {
                events.add(EventView.from(row));
            }
        }
        return events;
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
    }
}
