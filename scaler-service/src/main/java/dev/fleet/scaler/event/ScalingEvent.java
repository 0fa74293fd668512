package dev.fleet.scaler.event;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.fleet.platform.time.Timestamps;
import io.vertx.mutiny.sqlclient.Row;

/**
 * One decision as recorded: pool, from → to, the rule that fired and the inputs it saw, the
 * backend call it led to and how that went ({@code pending}, {@code ok}, {@code failed},
 * {@code dry-run}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScalingEvent(long id, String pool, Instant at, int from, int to, String kind, String rule,
        int recommended, Map<String, Object> inputs, String reason, boolean emergency, boolean alert, boolean dryRun,
        String backendCall, String outcome, String outcomeDetail, Instant completedAt) {

    static final String COLUMNS = "id, pool, at, from_instances, to_instances, kind, rule, recommended, inputs, reason,"
            + " emergency, alert, dry_run, backend_call, outcome, outcome_detail, completed_at";

    static ScalingEvent from(Row row) {
        return new ScalingEvent(row.getLong("id"), row.getString("pool"), Timestamps.column(row, "at"),
                row.getInteger("from_instances"), row.getInteger("to_instances"), row.getString("kind"),
                row.getString("rule"), row.getInteger("recommended"), row.getJsonObject("inputs").getMap(),
                row.getString("reason"), row.getBoolean("emergency"), row.getBoolean("alert"),
                row.getBoolean("dry_run"), row.getString("backend_call"), row.getString("outcome"),
                row.getString("outcome_detail"), Timestamps.column(row, "completed_at"));
    }

    public boolean changed() {
        return from != to || "replace-all".equals(kind);
    }
}
