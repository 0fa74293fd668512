/**
 * A session's event log: append, read backwards, follow live.
 *
 * <h2>Sequence numbers come from the session row's lock</h2>
 *
 * Every event of a session has a {@code seq}, 1, 2, 3, … with no gap, and an append is one
 * statement: an {@code UPDATE} of the session row adds the batch size to {@code event_seq}, and
 * the {@code INSERT} in the same statement numbers the batch from the old value. The update takes
 * the row's lock until commit, so two appends to one session queue up there: the second sees the
 * first's committed {@code event_seq} and continues after it. A PostgreSQL sequence would be
 * cheaper under contention but leaves gaps (rolled-back calls) and, worse, hands out numbers in
 * call order rather than commit order, so a reader could see seq 8 committed while 7 is still in
 * flight and move its cursor past 7 forever. With the row lock, seqs become visible in order: a
 * reader that sees {@code n} sees everything below it. That is what lets followers keep a single
 * number as their cursor, lets {@code tail=N} start at {@code event_seq - N}, and lets a client
 * resume with {@code Last-Event-ID}. The cost is that appends to one session are serialised for
 * the length of one short statement (appends to different sessions do not meet at all), and the
 * same statement records the activity idle auto-pause reads, so that comes for free.
 *
 * <h2>Reading the newest N is a backward scan of the primary key</h2>
 *
 * The primary key is {@code (session_id, seq)}, a B-tree. "The newest N events before S" is a
 * descent to {@code (id, S)}, O(log n), then N steps backwards along the leaf pages: the cost
 * depends on N, not on how long the log is, and paging back with {@code beforeSeq} costs the same
 * on page 1 and page 10,000 (an {@code OFFSET} would re-walk everything it skips). Because seqs
 * are gapless, the N rows are exactly {@code [S - N, S)}, and the queries say so: the planner may
 * pick any plan (a generic plan sized for an average session might prefer a bitmap scan and a
 * sort), yet the index condition itself bounds the rows read to N.
 *
 * <h2>NOTIFY is a hint; followers re-read</h2>
 *
 * An append ends with {@code pg_notify('fleet_session', {"event":"events","session":…,"seq":…})},
 * delivered at commit to every replica. A replica wakes the followers of that session, and each
 * reads the log after its own cursor from the database; the payload's {@code seq} is never
 * trusted as data. Notifications can be lost (the listener reconnects after a network cut),
 * coalesced into an overflow, duplicated or reordered; none of that matters, because a wake-up
 * only means "read again": a lost one is repaired by the catch-up read after a reconnect (which
 * wakes everyone), an extra one costs one empty read, and the cursor keeps an event from being
 * sent twice. The same read returns the session's state from the same snapshot, so when a final
 * state is announced the follower knows, from the database and not from the message, that it has
 * sent everything logged before the end, and completes the stream.
 */
package dev.fleet.session.event;
