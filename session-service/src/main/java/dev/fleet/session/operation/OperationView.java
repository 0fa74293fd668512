package dev.fleet.session.operation;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.fleet.platform.time.Timestamps;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A long-running operation as the API shows it (Google AIP-151): {@code done} is false while it
 * runs; when done, exactly one of {@code result} and {@code error} is set. {@code target} is the
 * session it acts on, {@code runnerId} the runner that carries it out.
 */
public record OperationView(
        UUID id,
        OperationKind kind,
        UUID target,
        UUID runnerId,
        boolean done,
        int progress,
        Map<String, Object> metadata,
        Object result,
        OperationError error,
        Instant createdAt,
        Instant updatedAt,
        Instant deadline) {

    static final String COLUMNS = "id, kind, target, runner_id, done, progress, metadata, result, error_code, error,"
            + " created_at, updated_at, deadline";

    static OperationView from(Row row) {
        JsonObject metadata = (JsonObject) row.getValue("metadata");
        Object result = row.getValue("result");
        String code = row.getString("error_code");
        return new OperationView(row.getUUID("id"), OperationKind.valueOf(row.getString("kind")), row.getUUID("target"),
                row.getUUID("runner_id"), row.getBoolean("done"), row.getInteger("progress"),
                metadata == null ? Map.of() : metadata.getMap(),
                result instanceof JsonObject json ? json.getMap() : result instanceof JsonArray array ? array.getList() : result,
                code == null ? null : new OperationError(code, row.getString("error")),
                Timestamps.column(row, "created_at"), Timestamps.column(row, "updated_at"),
                Timestamps.column(row, "deadline"));
    }
}
