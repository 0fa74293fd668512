#!/usr/bin/env bash
# telemetry-service ingest benchmark: batches of TB_BATCH (1000) samples posted by TB_CONCURRENCY (8)
# workers as fast as answered, with sampling rules and the per-source per-minute cap on
# (fleet.telemetry.sampling.per-source-per-minute=60000, the default):
#   1. cap not binding  TB_SOURCES (1000) sources: every sample is checked against the cap and stored
#   2. cap binding      10 sources: at most 10 × 60,000 samples a minute are stored, the rest dropped
# Each phase: TB_WARMUP (10) s not measured, TB_SECONDS (20) s measured. Prints offered, stored and
# dropped samples per second and batch latency.
#
# Usage: bench/telemetry/run.sh [--quick]   (--quick: 3 s + 5 s per phase)
# Environment: JAVA_HOME, FLEET_DB_* (deploy/local/lib.sh), TB_PORT [18184], FLEET_BENCH_DB [fleet_bench],
#   TB_CONCURRENCY [8], TB_BATCH [1000], TB_SOURCES [1000], TB_WARMUP [10|3], TB_SECONDS [20|5].
# Needs the packaged jar (./mvnw -B -q package -DskipTests -pl telemetry-service -am) and PostgreSQL.
# Run it alone on the machine (flock /work/.bench.lock on a shared one); the service is stopped by
# its PID on any exit, and the samples it stored are deleted.
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/telemetry
OUT=$ROOT/bench/.out
SVC_LOG=$OUT/telemetry-service.log
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"

PORT=${TB_PORT:-18184}
DB=${FLEET_BENCH_DB:-fleet_bench}
CONCURRENCY=${TB_CONCURRENCY:-8}
BATCH=${TB_BATCH:-1000}
SOURCES=${TB_SOURCES:-1000}
WARMUP=${TB_WARMUP:-$(q 10 3)}
SECONDS_=${TB_SECONDS:-$(q 20 5)}
JAR=$ROOT/telemetry-service/target/quarkus-app/quarkus-run.jar
[[ -f $JAR ]] || die "no $JAR: ./mvnw -B -q package -DskipTests -pl telemetry-service -am"
mkdir -p "$OUT"
fleet_ensure_postgres
fleet_ensure_database "$DB"
PGHOST_=$FLEET_DB_HOST PGPORT_=$FLEET_DB_PORT

svc_pid=""
cleanup() {
  [[ -z $svc_pid ]] || { kill -TERM "$svc_pid" 2>/dev/null; wait "$svc_pid" 2>/dev/null || true; }
  as_fleet -c "DELETE FROM telemetry.samples WHERE source LIKE 'bench-%'" >/dev/null 2>&1 || true
}
trap cleanup EXIT

token=bench-runner-token
FLEET_DB_NAME=$DB FLEET_AUTH_RUNNER_TOKENS=$token FLEET_AUTH_ADMIN_TOKENS=bench-admin-token \
  "$JAVA" -XX:+UseSerialGC -Xmx512m -Dquarkus.http.port="$PORT" \
  -Dfleet.telemetry.sampling.feature-sets.jobs.features='job.*' -Dfleet.telemetry.sampling.feature-sets.jobs.rate=0.5 \
  -Dfleet.telemetry.retention-interval=1h -Dfleet.telemetry.rollup-interval=1h \
  -jar "$JAR" >"$SVC_LOG" 2>&1 </dev/null &
svc_pid=$!
for ((i = 0; i < 600; i++)); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/q/health/ready" 2>/dev/null && break
  kill -0 "$svc_pid" 2>/dev/null || die "telemetry-service exited; see $SVC_LOG"
  sleep 0.2
done
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/sampling" >&2; echo >&2
say "phase 1: $SOURCES sources (cap not binding)"
"$JAVA" "$HERE/TelemetryBench.java" "http://127.0.0.1:$PORT" "$token" "$CONCURRENCY" "$BATCH" "$SOURCES" "$WARMUP" "$SECONDS_"
say "phase 2: 10 sources (cap binding: 60,000 per source and minute)"
"$JAVA" "$HERE/TelemetryBench.java" "http://127.0.0.1:$PORT" "$token" "$CONCURRENCY" "$BATCH" 10 "$WARMUP" "$SECONDS_"
say "rows stored: $(as_fleet -c "SELECT count(*) FROM telemetry.samples WHERE source LIKE 'bench-%'")"
