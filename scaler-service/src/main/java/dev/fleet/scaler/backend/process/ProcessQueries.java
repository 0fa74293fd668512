package dev.fleet.scaler.backend.process;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.fleet.platform.time.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** SQL for {@code scaler.processes}; every statement is scoped to one host (PIDs are per machine). */
final class ProcessQueries {

    private static final String COLUMNS = "id, pool, instance, pid, port, process_start, command, log_path, started_at";

    // Oldest first: scale-in stops from the end, so the longest-running (warmest) processes stay.
    private static final String LIST_HOST = "SELECT " + COLUMNS + " FROM scaler.processes WHERE host = $1"
            + " ORDER BY started_at, id";
    private static final String LIST_POOL = "SELECT " + COLUMNS + " FROM scaler.processes WHERE host = $1 AND pool = $2"
            + " ORDER BY started_at, id";
    private static final String INSERT = """
            INSERT INTO scaler.processes (host, pool, instance, pid, port, process_start, command, log_path)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            RETURNING\s""" + COLUMNS;
    private static final String DELETE = "DELETE FROM scaler.processes WHERE id = ANY($1)";

    private final Pool db;
    private final String host;

    ProcessQueries(Pool db, String host) {
        this.db = db;
        this.host = host;
    }

    /** This host's processes, of one pool or (pool null) of all, oldest first. */
    Uni<List<TrackedProcess>> list(String pool) {
        Uni<RowSet<Row>> rows = pool == null
                ? db.preparedQuery(LIST_HOST).execute(Tuple.of(host))
                : db.preparedQuery(LIST_POOL).execute(Tuple.of(host, pool));
        return rows.map(ProcessQueries::all);
    }

    Uni<TrackedProcess> insert(String pool, int index, long pid, int port, Instant processStart, List<String> command,
            String logPath) {
        Tuple args = Tuple.tuple().addString(host).addString(pool).addInteger(index).addLong(pid).addInteger(port)
                .addOffsetDateTime(Timestamps.param(processStart)).addArrayOfString(command.toArray(String[]::new))
                .addString(logPath);
        return db.preparedQuery(INSERT).execute(args).map(rows -> from(rows.iterator().next()));
    }

    Uni<Void> delete(List<TrackedProcess> processes) {
        if (processes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Long[] ids = processes.stream().map(TrackedProcess::id).toArray(Long[]::new);
        return db.preparedQuery(DELETE).execute(Tuple.of(ids)).replaceWithVoid();
    }

    private static List<TrackedProcess> all(RowSet<Row> rows) {
        List<TrackedProcess> list = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            list.add(from(row));
        }
        return list;
    }

    private static TrackedProcess from(Row row) {
        return new TrackedProcess(row.getLong("id"), row.getString("pool"), row.getInteger("instance"),
                row.getLong("pid"), row.getInteger("port"), Timestamps.column(row, "process_start"),
                List.of(row.getArrayOfStrings("command")), row.getString("log_path"),
                Timestamps.column(row, "started_at"));
    }
}
