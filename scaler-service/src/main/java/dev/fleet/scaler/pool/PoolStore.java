package dev.fleet.scaler.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleet.platform.notify.Channel;
import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** The {@code scaler.pools} table. */
@Singleton
public class PoolStore {

    private static final String COLUMNS = "name, spec, source, instances, manual_instances, manual_event, created_at,"
            + " updated_at";
    private static final String UPSERT = """
            INSERT INTO scaler.pools (name, spec, source) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, source = excluded.source, updated_at = now()
            RETURNING (xmax = 0) AS created, """ + COLUMNS;

    private final Pool db;
    private final ObjectMapper json;

    PoolStore(Pool db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    public record Saved(boolean created, PoolRecord pool) {
    }

    public Uni<Saved> save(String name, PoolSpec spec, String source) {
        return db.preparedQuery(UPSERT).execute(Tuple.of(name, new JsonObject(write(spec)), source))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Saved(row.getBoolean("created"), from(row));
                });
    }

    public Uni<Optional<PoolRecord>> find(String name) {
        return db.preparedQuery("SELECT " + COLUMNS + " FROM scaler.pools WHERE name = $1").execute(Tuple.of(name))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(from(rows.iterator().next())));
    }

    public Uni<List<PoolRecord>> all() {
        return db.query("SELECT " + COLUMNS + " FROM scaler.pools ORDER BY name").execute().map(this::list);
    }

    /** Pools whose runners work {@code queue} (a pool's queue defaults to its name). */
    public Uni<List<PoolRecord>> byQueue(String queue) {
        return db.preparedQuery("SELECT " + COLUMNS + " FROM scaler.pools WHERE coalesce(spec->>'queue', name) = $1")
                .execute(Tuple.of(queue)).map(this::list);
    }

    /** Deletes a pool the API made, only while nothing runs for it; true if deleted. */
    public Uni<Boolean> deleteIdle(String name) {
        return db.preparedQuery("DELETE FROM scaler.pools WHERE name = $1 AND instances = 0 AND source = 'api'")
                .execute(Tuple.of(name)).map(rows -> rows.rowCount() == 1);
    }

    /** Records the size just asked of the backend. */
    public Uni<Void> setInstances(String name, int instances) {
        return db.preparedQuery("UPDATE scaler.pools SET instances = $2, updated_at = now() WHERE name = $1")
                .execute(Tuple.of(name, instances)).replaceWithVoid();
    }

    /**
     * Leaves a manual scale for the leader and tells it on NOTIFY {@code fleet_scaling}; a newer
     * request replaces an older one not yet carried out.
     */
    public Uni<Void> requestManual(String name, int instances, long event) {
        return db.preparedQuery("WITH u AS (UPDATE scaler.pools SET manual_instances = $2, manual_event = $3"
                        + " WHERE name = $1 RETURNING name) SELECT pg_notify('" + Channel.SCALING + "',"
                        + " json_build_object('event', 'manual', 'pool', u.name)::text) FROM u")
                .execute(Tuple.of(name, instances, event)).replaceWithVoid();
    }

    /** The leader took the manual request {@code event}: clear it unless a newer one replaced it. */
    public Uni<Void> clearManual(String name, long event) {
        return db.preparedQuery("UPDATE scaler.pools SET manual_instances = NULL, manual_event = NULL"
                + " WHERE name = $1 AND manual_event = $2").execute(Tuple.of(name, event)).replaceWithVoid();
    }

    private List<PoolRecord> list(RowSet<Row> rows) {
        List<PoolRecord> pools = new ArrayList<>();
        rows.forEach(row -> pools.add(from(row)));
        return pools;
    }

    private PoolRecord from(Row row) {
        Instant created = Timestamps.column(row, "created_at");
        return new PoolRecord(row.getString("name"), read(row.getJsonObject("spec")), row.getString("source"),
                row.getInteger("instances"), row.getInteger("manual_instances"), row.getLong("manual_event"), created,
                Timestamps.column(row, "updated_at"));
    }

    private String write(PoolSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a pool spec", e);
        }
    }

    private PoolSpec read(JsonObject spec) {
        try {
            return json.readValue(spec.encode(), PoolSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored pool spec unreadable: " + spec, e);
        }
    }
}
