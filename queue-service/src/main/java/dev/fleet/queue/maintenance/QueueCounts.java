package dev.fleet.queue.maintenance;

import java.util.HashMap;
import java.util.Map;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/** Rows returned by a maintenance statement, counted per queue (and per state where it returns one). */
final class QueueCounts {

    private QueueCounts() {
    }

    static Map<String, Integer> perQueue(RowSet<Row> rows) {
        Map<String, Integer> counts = new HashMap<>();
        rows.forEach(row -> counts.merge(row.getString("queue"), 1, Integer::sum));
        return counts;
    }

    static Map<String, Integer> perQueueInState(RowSet<Row> rows, String state) {
        Map<String, Integer> counts = new HashMap<>();
        rows.forEach(row -> {
            if (state.equals(row.getString("state"))) {
                counts.merge(row.getString("queue"), 1, Integer::sum);
            }
        });
        return counts;
    }
}
