package dev.fleet.session.runner;

/** SQL over {@code session.runners}. Times are parameters from the service clock. */
final class RunnerQueries {

    private RunnerQueries() {
    }

    static final String REGISTER = "INSERT INTO session.runners (id, pool, endpoint, host, max_sessions, weight,"
            + " labels, version, token_hash, health, registered_at, last_heartbeat_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'healthy', $10, $10) RETURNING " + RunnerView.COLUMNS;

    // The hot path: one statement, one round trip. It locks the row first to read the health it
    // replaces, and announces a change of health in the same statement (nothing when unchanged).
    // It also counts the operations waiting for this runner, so the runner knows to fetch them.
    static final String HEARTBEAT = """
            WITH previous AS (SELECT id, health FROM session.runners WHERE id = $1 FOR UPDATE),
            beat AS (
                UPDATE session.runners r SET last_heartbeat_at = $2, health = $3, cpu_percent = $4,
                    memory_percent = $5, active_sessions = $6, active_connections = $7, avg_response_ms = $8,
                    avg_thinking_ms = $9, queue_depth = $10
                FROM previous WHERE r.id = previous.id AND ($11::bytea IS NULL OR r.token_hash = $11)
                RETURNING r.id, r.pool, r.health, r.draining, previous.health AS previous),
            announced AS (
                SELECT pg_notify('fleet_runner', json_build_object('event', 'health', 'runner', id, 'pool', pool,
                                 'health', health)::text)
                FROM beat WHERE health <> previous)
            SELECT beat.health, beat.draining, (SELECT count(*) FROM announced) AS announced,
                   (SELECT count(*) FROM session.operations o WHERE o.runner_id = $1 AND NOT o.done) AS pending
            FROM beat""";

    static final String EXISTS = "SELECT 1 FROM session.runners WHERE id = $1";

    static final String DRAIN = "UPDATE session.runners SET draining = true"
            + " WHERE id = $1 AND ($2::bytea IS NULL OR token_hash = $2) RETURNING " + RunnerView.COLUMNS;

    static final String FIND = "SELECT " + RunnerView.COLUMNS + " FROM session.runners WHERE id = $1";

    static final String LIST = "SELECT " + RunnerView.COLUMNS + " FROM session.runners"
            + " WHERE ($1::text IS NULL OR pool = $1)"
            + " AND ($2::text IS NULL OR health = $2 OR ($2 = 'draining' AND draining))"
            + " ORDER BY pool, registered_at, id";

    static final String DEREGISTER = "DELETE FROM session.runners"
            + " WHERE id = $1 AND ($2::bytea IS NULL OR token_hash = $2) RETURNING " + RunnerView.COLUMNS;
}
