package dev.fleet.scaler.event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.time.Timestamps;
import dev.fleet.scaler.policy.Decision;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The {@code scaler.events} table. Recording an event and announcing it on NOTIFY
 * {@code fleet_scaling} is one statement, so a listener never hears of an event it cannot read.
 */
@Singleton
public class EventStore {

    private static final String INSERT = """
            WITH e AS (
                INSERT INTO scaler.events (pool, at, from_instances, to_instances, kind, rule, recommended, inputs,
                                           reason, emergency, alert, dry_run, backend_call, outcome)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                RETURNING *)
            SELECT %s, pg_notify('%s', json_build_object('event', 'decision', 'id', e.id, 'pool', e.pool,
                       'from', e.from_instances, 'to', e.to_instances, 'kind', e.kind, 'rule', e.rule,
                       'alert', e.alert, 'outcome', e.outcome)::text)
            FROM e""".formatted(ScalingEvent.COLUMNS, Channel.SCALING);
    private static final String FINISH = """
            WITH e AS (
                UPDATE scaler.events SET outcome = $2, outcome_detail = $3, completed_at = $4 WHERE id = $1
                RETURNING *)
            SELECT %s, pg_notify('%s', json_build_object('event', 'outcome', 'id', e.id, 'pool', e.pool,
                       'outcome', e.outcome)::text)
            FROM e""".formatted(ScalingEvent.COLUMNS, Channel.SCALING);

    private final Pool db;

    EventStore(Pool db) {
        this.db = db;
    }

    /** Records a decision about to be carried out (or not: dry run). */
    public Uni<ScalingEvent> record(Decision d, String backendCall, String outcome) {
        return db.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(d.pool(), Timestamps.param(d.at()), d.from(),
                        d.to(), d.kind().toString(), d.rule(), d.recommended(), inputs(d.inputs()), d.reason(),
                        d.emergency(), d.alert(), d.dryRun(), backendCall, outcome)))
                .map(rows -> ScalingEvent.from(rows.iterator().next()));
    }

    /** The backend call's result. */
    public Uni<ScalingEvent> finish(long id, String outcome, String detail, Instant at) {
        return db.preparedQuery(FINISH).execute(Tuple.of(id, outcome, detail, Timestamps.param(at)))
                .map(rows -> ScalingEvent.from(rows.iterator().next()));
    }

    /** A pool's events, newest first, before {@code beforeId} (null: from the newest). */
    public Uni<List<ScalingEvent>> forPool(String pool, Long beforeId, int limit) {
        return db.preparedQuery("SELECT " + ScalingEvent.COLUMNS + " FROM scaler.events WHERE pool = $1"
                        + " AND id < coalesce($2, 9223372036854775807) ORDER BY id DESC LIMIT $3")
                .execute(Tuple.of(pool, beforeId, limit)).map(EventStore::list);
    }

    /** Every pool's events from {@code since}, oldest first, after {@code afterId} (to page on). */
    public Uni<List<ScalingEvent>> since(Instant since, long afterId, int limit) {
        return db.preparedQuery("SELECT " + ScalingEvent.COLUMNS + " FROM scaler.events WHERE at >= $1 AND id > $2"
                        + " ORDER BY id LIMIT $3")
                .execute(Tuple.of(Timestamps.param(since), afterId, limit)).map(EventStore::list);
    }

    /**
     * Decisions acted on (or meant to be: pending, dry run, failed) from {@code since}, of one pool
     * or (null) all: the damping's memory, shared by every replica and manual scaling. A failed
     * call counts too, so a backend that keeps failing is retried after a cooldown, not every round.
     */
    public Uni<List<ScalingEvent>> changesSince(Instant since, String pool) {
        return db.preparedQuery("SELECT " + ScalingEvent.COLUMNS + " FROM scaler.events WHERE at >= $1"
                        + " AND ($2::text IS NULL OR pool = $2) AND outcome IN ('ok', 'pending', 'dry-run', 'failed')"
                        + " AND kind <> 'none' ORDER BY id")
                .execute(Tuple.of(Timestamps.param(since), pool)).map(EventStore::list);
    }

    /** Deletes events older than {@code before}, at most {@code batch}; returns how many. */
    public Uni<Integer> prune(Instant before, int batch) {
        return db.preparedQuery("DELETE FROM scaler.events WHERE id IN (SELECT id FROM scaler.events WHERE at < $1"
                + " ORDER BY at LIMIT $2)").execute(Tuple.of(Timestamps.param(before), batch)).map(RowSet::rowCount);
    }

    private static List<ScalingEvent> list(RowSet<Row> rows) {
        List<ScalingEvent> events = new ArrayList<>();
        rows.forEach(row -> events.add(ScalingEvent.from(row)));
        return events;
    }

    /** JSON has no NaN or infinity: such an input is left out. */
    private static JsonObject inputs(Map<String, Double> values) {
        JsonObject inputs = new JsonObject();
        values.forEach((name, value) -> {
            if (Double.isFinite(value)) {
                inputs.put(name, value);
            }
        });
        return inputs;
    }
}
