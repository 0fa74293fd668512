#!/usr/bin/env bash
# queue-service throughput and latency benchmark, with a raw-PostgreSQL reference from the same run.
#
#   1. batch enqueue rate         N jobs, batches of BATCH, CLIENTS concurrent HTTP clients
#   2. end-to-end throughput      CLAIMERS loops of claim(max=CLAIM_MAX) -> one POST /leases/complete
#        2a  backlog drain        the N jobs of phase 1 are already queued (claim + complete only)
#        2b  concurrent producer  CLIENTS producers enqueue N jobs while the claimers drain them
#   3. wake latency               WAKE_WAITERS long-polls (waitMs=30000) on an empty queue; one job at a
#                                 time, enqueue sent -> claim response with that job; WAKE_N samples
#   4. PostgreSQL reference       pgbench, UPDATE ... FOR UPDATE SKIP LOCKED on a copy of queue.jobs
#                                 (same columns and indexes): (a) 1 row per claim, (b) 100 rows per claim;
#                                 for diagnosis, claim 100 + complete them in SQL as the service does, with
#                                 statistics taken (c) while jobs run, (d) when none ran
#   5. phase 2 again with HISTORY (1,000,000) succeeded jobs in queue.jobs
#
# Prints a Markdown table (also saved to bench/.out/queue-results.md) with PASS/MISS against:
#   2b >= 0.5 x 4b rows/s;  p99 wake < 20 ms;  5b >= 0.8 x 2b.
#
# Usage: bench/queue/run.sh            (about 4 minutes on the 2-core reference machine)
#
# Environment (defaults in brackets):
#   JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64]   QB_PORT [18281]   FLEET_BENCH_DB [fleet_bench]
#   QB_N [50000] QB_BATCH [500] QB_CLIENTS [4] QB_CLAIMERS [8] QB_CLAIM_MAX [100] QB_CLAIM_WAIT_MS [200]
#   QB_WAKE_N [300] QB_WAKE_WAITERS [2] QB_WAKE_PAUSE_MS [20]
#   QB_PGB_SECONDS [20] QB_PGB_ROWS_1 [600000] QB_PGB_ROWS_100 [2500000]
#   QB_PGB_ROWS_CC [1000000] QB_HISTORY [1000000]
#   QB_BUILD_WAIT_S [600]  how long to wait for a running Maven build to end before each phase
#   QB_SERVICE_OPTS  extra JVM options for the service (e.g. -XX:StartFlightRecording=filename=...)
#   QB_BUILD=1  build queue-service first (./mvnw package -pl queue-service -am; default: only if missing)
#   QB_VACUUM=0  only CHECKPOINT between the service phases (no VACUUM ANALYZE of queue.jobs): the
#                planner then sizes the partial indexes from their files, not from a quiet-moment sample
#   QB_PERF=1  record a system-wide perf profile of each driver phase to bench/.out/queue-perf-<phase>.data
#   QB_KEEP_DB=1  do not drop and recreate the database first (default: a fresh database per run)
#
# Needs: PostgreSQL at 127.0.0.1:5432 with trust for postgres (database, CHECKPOINT) and role fleet,
# psql, pgbench, curl. Builds queue-service if its quarkus-app is missing. Runs a copy of the app
# (bench/.out/queue-app) so a rebuild during the run does not disturb it. Everything is bounded:
# every phase has a fixed count and a timeout; the service is stopped by PID on any exit.
# Note: PostgreSQL, the service and the driver share the machine's cores; the table shows each
# one's CPU per phase. The database is VACUUM ANALYZEd and CHECKPOINTed between phases.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/queue
OUT=$ROOT/bench/.out
APP=$OUT/queue-app
SVC_LOG=$OUT/queue-service.log
RESULTS=$OUT/queue-results.md
RAW=$OUT/queue-raw.txt

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
PORT=${QB_PORT:-18281}
DB=${FLEET_BENCH_DB:-fleet_bench}
PGHOST_=127.0.0.1
PGPORT_=5432
N=${QB_N:-50000}
BATCH=${QB_BATCH:-500}
CLIENTS=${QB_CLIENTS:-4}
CLAIMERS=${QB_CLAIMERS:-8}
CLAIM_MAX=${QB_CLAIM_MAX:-100}
CLAIM_WAIT_MS=${QB_CLAIM_WAIT_MS:-200}
WAKE_N=${QB_WAKE_N:-300}
WAKE_WAITERS=${QB_WAKE_WAITERS:-2}
WAKE_PAUSE_MS=${QB_WAKE_PAUSE_MS:-20}
PGB_SECONDS=${QB_PGB_SECONDS:-20}
PGB_ROWS_1=${QB_PGB_ROWS_1:-600000}
PGB_ROWS_100=${QB_PGB_ROWS_100:-2500000}
PGB_ROWS_CC=${QB_PGB_ROWS_CC:-1000000}
HISTORY=${QB_HISTORY:-1000000}

READY_TIMEOUT_S=90
PHASE_TIMEOUT_S=300      # the driver's own deadline per phase; the shell adds a margin on top
BUILD_WAIT_S=${QB_BUILD_WAIT_S:-600}
CLK_TCK=$(getconf CLK_TCK)

# bench/startup.sh also uses database fleet_bench and drops every schema of role fleet in it when
# it starts: the two must never run at once (wait_for_quiet waits, then gives up).
BENCH_OTHERS='bench/(startup\.sh|session/run\.sh)'
BENCH_SCHEMA=queue
FLEET_DB_USER=fleet FLEET_DB_PASSWORD=fleet
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"

for tool in psql pgbench curl; do command -v $tool >/dev/null || die "$tool is needed"; done
[[ -x $JAVA ]] || die "no java at $JAVA (set JAVA_HOME to a JDK 25)"

# ---- 0. the app -------------------------------------------------------------------------------
mkdir -p "$OUT"
if [[ ${QB_BUILD:-0} == 1 || ! -f $ROOT/queue-service/target/quarkus-app/quarkus-run.jar ]]; then
  wait_for_quiet
  for attempt in 1 2 3 4 5; do
    say "building queue-service (attempt $attempt) ..."
    if (cd "$ROOT" && timeout 900 ./mvnw -B -q package -DskipTests -pl queue-service -am); then break; fi
    (( attempt < 5 )) || die "queue-service does not build"
    say "build failed (sources may be mid-edit); retrying in 60 s"
    sleep 60
  done
fi
wait_for_quiet   # do not copy a quarkus-app that a build is rewriting
rm -rf "$APP"
cp -a "$ROOT/queue-service/target/quarkus-app" "$APP"
app_stamp="$(date -u -r "$APP/app" '+%Y-%m-%d %H:%M UTC'); HEAD then $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -z $(git -C "$ROOT" status --porcelain -- queue-service platform 2>/dev/null) ]] || app_stamp+=" + uncommitted changes"
say "using a copy of queue-service/target/quarkus-app (built $app_stamp) in ${APP#"$ROOT"/}"

# ---- 0. database ------------------------------------------------------------------------------
if [[ ${QB_KEEP_DB:-0} != 1 ]]; then
  say "recreating database $DB"
  for ((i = 0; ; i++)); do
    if as_pg -c "drop database if exists \"$DB\"" 2>"$OUT/queue-dropdb.err"; then break; fi
    (( i < 60 )) || die "cannot drop $DB: $(cat "$OUT/queue-dropdb.err")"
    (( i == 0 )) && say "  $DB is in use by someone else; waiting (up to 5 min)"
    sleep 5
  done
  as_pg -c "create database \"$DB\" owner fleet"
  rm -f "$OUT/queue-dropdb.err"
else
  as_pg -tc "select 1 from pg_database where datname = '$DB'" | grep -q 1 \
    || as_pg -c "create database \"$DB\" owner fleet"
fi
pg_version=$(as_pg -c "select current_setting('server_version')")
pg_autovacuum=$(as_pg -c "show autovacuum")
pg_shared=$(as_pg -c "show shared_buffers")
pg_sync=$(as_pg -c "show synchronous_commit")
pg_nondefault=$(as_pg -c "select string_agg(name || '=' || setting, ', ' order by name) from pg_settings
  where source = 'configuration file' and name in ('autovacuum','fsync','synchronous_commit','shared_buffers',
  'max_wal_size','work_mem','full_page_writes','wal_level','checkpoint_timeout')")
[[ $pg_autovacuum == on ]] || say "note: autovacuum is $pg_autovacuum on this server; the script VACUUMs between phases"

# ---- 0. the service ---------------------------------------------------------------------------
export QB_CLIENT_TOKEN=bench-client-$(rand) QB_RUNNER_TOKEN=bench-runner-$(rand)
export QB_URL=http://127.0.0.1:$PORT
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is taken (set QB_PORT)"; fi
say "starting queue-service on 127.0.0.1:$PORT (log: ${SVC_LOG#"$ROOT"/})"
FLEET_DB_HOST=$PGHOST_ FLEET_DB_PORT=$PGPORT_ FLEET_DB_NAME=$DB FLEET_DB_USER=$FLEET_DB_USER FLEET_DB_PASSWORD=$FLEET_DB_PASSWORD \
FLEET_AUTH_ADMIN_TOKENS=bench-admin-$(rand) FLEET_AUTH_RUNNER_TOKENS=$QB_RUNNER_TOKEN \
FLEET_AUTH_CLIENT_TOKENS=$QB_CLIENT_TOKEN \
  "$JAVA" -Xmx1g ${QB_SERVICE_OPTS:-} -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
  -jar "$APP/quarkus-run.jar" >"$SVC_LOG" 2>&1 </dev/null &
svc_pid=$!
export QB_SERVICE_PID=$svc_pid QB_CLK_TCK=$CLK_TCK
await_ready "$QB_URL" queue-service

# ---- CPU accounting (pgbench phases; the driver measures its own window the same way) -----------
# Ticks of the machine (busy, total), the service and PostgreSQL (every postgres process, children
# included, so ended backends count through the postmaster).
cpu_snap() {
  local busy total svc pg
  read -r busy total < <(awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6; exit}' /proc/stat)
  svc=$(awk '{print $14+$15}' "/proc/$svc_pid/stat" 2>/dev/null || echo 0)
  pg=$({ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '$2=="(postgres)"{s+=$14+$15+$16+$17} END{print s+0}')
  echo "$busy $total $svc $pg"
}
# cpu_delta "before" "after" client_s: sets cpu_note
cpu_delta() {
  local b=($1) a=($2)
  cpu_note=$(awk -v hz="$CLK_TCK" -v b0="${b[0]}" -v b1="${b[1]}" -v b2="${b[2]}" -v b3="${b[3]}" \
    -v a0="${a[0]}" -v a1="${a[1]}" -v a2="${a[2]}" -v a3="${a[3]}" -v d="$3" 'BEGIN {
      printf "service %.1f s · PostgreSQL %.1f s · pgbench client %.1f s · machine busy %.0f %%",
        (a2-b2)/hz, (a3-b3)/hz, d, (a1>b1) ? 100*(a0-b0)/(a1-b1) : 0 }')
}

# ---- helpers for the driver and SQL -----------------------------------------------------------
declare -A cpu
# drive LABEL PHASE ARGS...: runs the driver once; sets $res (its RESULT line) and cpu[LABEL].
drive() {
  local label=$1 out rc=0 perf_pid=""
  shift
  wait_for_quiet
  if [[ ${QB_PERF:-0} == 1 && $label != warmup ]]; then   # system-wide profile of the phase (diagnosis)
    timeout $((PHASE_TIMEOUT_S + 60)) perf record -a -g -F 499 -o "$OUT/queue-perf-$label.data" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  out=$(timeout $((PHASE_TIMEOUT_S + 120)) "$JAVA" -Xmx512m -XX:+UseSerialGC "$HERE/QueueBench.java" "$@" \
    timeout=$PHASE_TIMEOUT_S 2> >(tee -a "$OUT/queue-driver.log" >&2)) || rc=$?
  if [[ -n $perf_pid ]]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
  mark_if_build "$label"
  res=$(grep '^RESULT ' <<<"$out" | tail -n 1 || true)
  [[ -n $res ]] || die "driver phase $label printed no result (exit $rc)"
  echo "$label $res" >>"$RAW"
  say "  $res"
  kill -0 "$svc_pid" 2>/dev/null || die "queue-service died during $label; see ${SVC_LOG#"$ROOT"/}"
  cpu[$label]="service $(kv "$res" service_cpu_s) s · PostgreSQL $(kv "$res" pg_cpu_s) s · driver $(kv "$res" driver_cpu_s) s · machine busy $(kv "$res" machine_busy_pct) %"
}
settle() {   # VACUUM ANALYZE the queue tables, CHECKPOINT: each phase starts from the same kind of state
  if [[ ${QB_VACUUM:-1} == 1 ]]; then
    T=600 as_fleet -c "vacuum (analyze) queue.jobs" -c "vacuum (analyze) queue.queues"
  fi
  T=600 as_pg -c checkpoint
}
count_state() { as_fleet -c "select count(*) from queue.jobs where queue = '$1' and state = '$2'"; }
: >"$RAW"
: >"$OUT/queue-driver.log"

# warm-up: JIT the enqueue, claim and complete paths (not measured)
say "warm-up: 30000 jobs through the service (not measured)"
drive warmup drain queue=bench-warmup n=30000 producers="$CLIENTS" claimers="$CLAIMERS" max="$CLAIM_MAX" waitMs="$CLAIM_WAIT_MS" batch="$BATCH" >/dev/null
settle

# ---- 1. batch enqueue -------------------------------------------------------------------------
say "phase 1: enqueue $N jobs, batches of $BATCH, $CLIENTS clients"
drive p1 enqueue queue=bench-backlog n="$N" batch="$BATCH" clients="$CLIENTS"; r1=$res
settle

# ---- 2. end-to-end ----------------------------------------------------------------------------
say "phase 2a: drain the backlog of $N jobs with $CLAIMERS claimers (max $CLAIM_MAX)"
drive p2a drain queue=bench-backlog n="$N" claimers="$CLAIMERS" max="$CLAIM_MAX" waitMs="$CLAIM_WAIT_MS"; r2a=$res
settle
say "phase 2b: $CLIENTS producers enqueue $N jobs while $CLAIMERS claimers drain them"
drive p2b drain queue=bench-e2e n="$N" producers="$CLIENTS" batch="$BATCH" claimers="$CLAIMERS" \
  max="$CLAIM_MAX" waitMs="$CLAIM_WAIT_MS"; r2b=$res
ok2=$(( $(count_state bench-backlog succeeded) + $(count_state bench-e2e succeeded) ))
(( ok2 == 2 * N )) || say "WARNING: $ok2 of $((2 * N)) phase-2 jobs are succeeded in the table"
settle

# ---- 3. wake latency --------------------------------------------------------------------------
say "phase 3: wake latency, $WAKE_N samples, $WAKE_WAITERS long-polling waiters"
drive p3 wake queue=bench-wake n="$WAKE_N" waiters="$WAKE_WAITERS" pauseMs="$WAKE_PAUSE_MS"; r3=$res
settle

# ---- 4. pgbench reference ---------------------------------------------------------------------
say "phase 4: pgbench reference on pgb.jobs (a copy of queue.jobs: same columns, indexes)"
as_fleet -c "drop schema if exists pgb cascade" -c "create schema pgb" \
  -c "create table pgb.jobs (like queue.jobs including all)"
pgb_load() {   # $1 rows [$2 of them, the newest, left running]: reset the table and load available jobs
  local t0=$SECONDS prime=${2:-0}
  T=900 as_fleet -c "truncate pgb.jobs restart identity" -c "insert into pgb.jobs
      (queue, kind, payload, priority, base_priority, state, run_at, expires_at, max_attempts)
    select 'pgb', 'bench', jsonb_build_object('n', g), 3, 3, 'available', now(), now() + interval '1 day', 3
    from generate_series(1, $1) g" -c "update pgb.jobs set state = 'running', lease_token = gen_random_uuid(),
      expires_at = 'infinity', lease_expires_at = now() + interval '1 day' where id > $1 - $prime" \
    -c "vacuum (analyze) pgb.jobs"
  T=600 as_pg -c checkpoint
  say "  loaded $1 rows ($prime running) in $((SECONDS - t0)) s"
}
# pgb_run LABEL LIMIT ROWS [SCRIPT [PRIME [STATES]]]: sets pgb_tps, pgb_rows_s (jobs per second that
# reached STATES, default claimed: running or succeeded, less the PRIME jobs loaded running), pgb_left
pgb_run() {
  local label=$1 limit=$2 rows=$3 script=${4:-pgbench-claim.sql} prime=${5:-0} states=${6:-"'running', 'succeeded'"} before after log=$OUT/queue-pgbench-$1.log tfile=$OUT/queue-pgbench-$1.time
  pgb_load "$rows" "$prime"
  wait_for_quiet
  before=$(cpu_snap)
  TIMEFORMAT='%U %S'
  { time PGPASSWORD=fleet timeout $((PGB_SECONDS + 120)) pgbench -h $PGHOST_ -p $PGPORT_ -U fleet -n -M prepared \
      -c 8 -j 2 -T "$PGB_SECONDS" -D limit="$limit" -f "$HERE/$script" "$DB" >"$log" 2>&1; } 2>"$tfile" \
    || { cat "$log" >&2; die "pgbench $label failed"; }
  after=$(cpu_snap)
  mark_if_build "$label"
  pgb_tps=$(sed -n 's/^tps = \([0-9]*\)\.[0-9]* .*/\1/p' "$log" | head -n 1)
  local claimed
  claimed=$(as_fleet -c "select count(*) - $prime from pgb.jobs where state in ($states)")
  pgb_left=$(as_fleet -c "select count(*) from pgb.jobs where state = 'available'")
  pgb_rows_s=$(awk -v c="$claimed" -v s="$PGB_SECONDS" 'BEGIN{printf "%.0f", c/s}')
  (( pgb_left > 0 )) || say "WARNING: pgbench $label ran the table dry: raise QB_PGB_ROWS_*"
  cpu_delta "$before" "$after" "$(awk '{printf "%.1f", $1+$2}' "$tfile")"
  cpu[$label]=$cpu_note
  echo "$label tps=$pgb_tps claimed=$claimed rows_s=$pgb_rows_s left=$pgb_left" >>"$RAW"
  say "  $label: tps $pgb_tps, $claimed rows claimed in ${PGB_SECONDS} s ($pgb_rows_s rows/s), $pgb_left left"
}
pgb_run p4a 1 "$PGB_ROWS_1"; p4a_tps=$pgb_tps; p4a_rows=$pgb_rows_s; p4a_left=$pgb_left
pgb_run p4b 100 "$PGB_ROWS_100"; p4b_tps=$pgb_tps; p4b_rows=$pgb_rows_s; p4b_left=$pgb_left
# Diagnostic references (not targets): claim 100 + complete them with one set-based UPDATE (the SQL of
# the service's claim and POST /leases/complete), jobs/s that reached succeeded. (c) statistics taken
# while 2000 jobs run: the completion finds its rows through jobs_pkey; (d) statistics taken when no job
# runs (as any ANALYZE at a quiet moment): the planner believes the partial index jobs_leases (state =
# 'running') empty and scans it whole on every completion.
pgb_run p4c 100 "$PGB_ROWS_CC" pgbench-claim-complete-set.sql 2000 "'succeeded'"; p4c_tps=$pgb_tps; p4c_rows=$pgb_rows_s
pgb_run p4d 100 "$PGB_ROWS_CC" pgbench-claim-complete-set.sql 0 "'succeeded'"; p4d_tps=$pgb_tps; p4d_rows=$pgb_rows_s
as_fleet -c "drop schema pgb cascade"
settle

# ---- 5. phase 2 again with 1M finished jobs ---------------------------------------------------
say "phase 5: $HISTORY succeeded jobs into queue.jobs, then phase 1, 2a and 2b again"
t0=$SECONDS
T=900 as_fleet -c "insert into queue.jobs (queue, kind, payload, priority, base_priority, state, run_at, expires_at,
    max_attempts, attempt, runner_id, result, created_at, attempted_at, finished_at)
  select 'bench-e2e', 'bench', jsonb_build_object('n', g), 3, 3, 'succeeded', now(), 'infinity', 3, 1, 'bench-history',
    '{\"ok\":true}', now(), now(), now()
  from generate_series(1, $HISTORY) g"
settle
say "  inserted in $((SECONDS - t0)) s; queue.jobs now has $(as_fleet -c "select count(*) from queue.jobs") rows"
drive p5e enqueue queue=bench-backlog n="$N" batch="$BATCH" clients="$CLIENTS"; r5e=$res
settle
drive p5a drain queue=bench-backlog n="$N" claimers="$CLAIMERS" max="$CLAIM_MAX" waitMs="$CLAIM_WAIT_MS"; r5a=$res
settle
drive p5b drain queue=bench-e2e n="$N" producers="$CLIENTS" batch="$BATCH" claimers="$CLAIMERS" \
  max="$CLAIM_MAX" waitMs="$CLAIM_WAIT_MS"; r5b=$res

stop_service
svc_errors=$(grep -cE ' (ERROR|WARN) ' "$SVC_LOG" || true)
svc_messages=$(grep -E ' (ERROR|WARN) ' "$SVC_LOG" | sed -E 's/^[0-9:.]+ +//' | cut -c1-200 | sort | uniq -c | sort -rn | head -n 5 || true)

# ---- table ------------------------------------------------------------------------------------
f0() { awk -v x="$1" 'BEGIN{printf "%.0f", x}'; }
rate() { kv "$1" rate; }
dur() { kv "$1" seconds; }

e2e=$(rate "$r2b"); drain=$(rate "$r2a"); e2e_h=$(rate "$r5b"); drain_h=$(rate "$r5a")
half=$(awk -v r="$p4b_rows" 'BEGIN{printf "%.0f", r/2}')
p99=$(kv "$r3" p99_ms)
t1=$(verdict "$e2e" ">=" "$half")
t1i=$(verdict "$drain" ">=" "$half")
t2=$(verdict "$p99" "<" 20)
t3r=$(ratio "$e2e_h" "$e2e"); t3=$(verdict "$t3r" ">=" 0.8)
t3ir=$(ratio "$drain_h" "$drain"); t3i=$(verdict "$t3ir" ">=" 0.8)
skew_note=""
(( ${#skewed[@]} == 0 )) || skew_note="**A Maven build or another benchmark ran during: ${skewed[*]} — those figures are skewed.**"

{
  echo "## queue-service benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM."
  echo "JDK: $("$JAVA" -version 2>&1 | head -n 1); service: -Xmx1g, default GC; driver: QueueBench.java (-Xmx512m, SerialGC)."
  echo "PostgreSQL $pg_version, settings: $pg_nondefault. App built $app_stamp."
  echo "PostgreSQL, the service and the driver share the same $(nproc) cores. Between phases:" \
    "$([[ ${QB_VACUUM:-1} == 1 ]] && echo "VACUUM ANALYZE queue.jobs + CHECKPOINT" || echo "CHECKPOINT only (QB_VACUUM=0)")."
  echo
  echo "| # | figure | value | detail | CPU during the phase |"
  echo "| --- | --- | ---: | --- | --- |"
  echo "| 1 | batch enqueue | $(f0 "$(rate "$r1")") jobs/s | $N jobs, batches of $BATCH, $CLIENTS clients, $(dur "$r1") s | ${cpu[p1]} |"
  echo "| 2a | claim+complete, pre-loaded backlog | $(f0 "$drain") jobs/s | $N jobs, $CLAIMERS claimers × max $CLAIM_MAX, $(dur "$r2a") s; claim $(kv "$r2a" avg_claim_ms) ms, complete $(kv "$r2a" avg_complete_ms) ms avg, $(kv "$r2a" jobs_per_claim) jobs/claim | ${cpu[p2a]} |"
  echo "| 2b | end-to-end enqueue→claim→complete | $(f0 "$e2e") jobs/s | $CLIENTS producers + $CLAIMERS claimers, $N jobs, $(dur "$r2b") s (enqueue done at $(kv "$r2b" enqueue_done_s) s); claim $(kv "$r2b" avg_claim_ms) ms, complete $(kv "$r2b" avg_complete_ms) ms avg, $(kv "$r2b" jobs_per_claim) jobs/claim, $(kv "$r2b" empty_claims) empty claims | ${cpu[p2b]} |"
  echo "| 3 | wake latency p50 / p99 / max | $(kv "$r3" p50_ms) / $p99 / $(kv "$r3" max_ms) ms | $(kv "$r3" measured) samples (+50 warm-up), $WAKE_WAITERS waiters (waitMs 30000), enqueue sent → claim response; p90 $(kv "$r3" p90_ms) ms, min $(kv "$r3" min_ms) ms, lost $(kv "$r3" lost) | ${cpu[p3]} |"
  echo "| 4a | pgbench 1-row SKIP LOCKED claim | $(f0 "$p4a_rows") claims/s | -c 8 -j 2 -T $PGB_SECONDS -M prepared, tps $p4a_tps, $PGB_ROWS_1 rows loaded, $p4a_left left | ${cpu[p4a]} |"
  echo "| 4b | pgbench 100-row SKIP LOCKED claim | $(f0 "$p4b_rows") rows/s | -c 8 -j 2 -T $PGB_SECONDS -M prepared, tps $p4b_tps (×100), $PGB_ROWS_100 rows loaded, $p4b_left left | ${cpu[p4b]} |"
  echo "| 4c | (diag.) pgbench claim 100 + complete them, stats taken while jobs run | $(f0 "$p4c_rows") jobs/s | claim as 4b, then one UPDATE … FROM unnest(ids, tokens) (the service's SQL); completion via jobs_pkey; tps $p4c_tps (×100) | ${cpu[p4c]} |"
  echo "| 4d | (diag.) as 4c, stats taken when no job ran | $(f0 "$p4d_rows") jobs/s | same SQL; the planner thinks jobs_leases empty and scans it on every completion; tps $p4d_tps (×100) | ${cpu[p4d]} |"
  echo "| 5 | batch enqueue, +$HISTORY finished | $(f0 "$(rate "$r5e")") jobs/s | as 1; ratio to 1: $(ratio "$(rate "$r5e")" "$(rate "$r1")") | ${cpu[p5e]} |"
  echo "| 5a | as 2a, +$HISTORY finished | $(f0 "$drain_h") jobs/s | ratio to 2a: $t3ir; $(dur "$r5a") s | ${cpu[p5a]} |"
  echo "| 5b | as 2b, +$HISTORY finished | $(f0 "$e2e_h") jobs/s | ratio to 2b: $t3r; $(dur "$r5b") s | ${cpu[p5b]} |"
  echo
  echo "Targets:"
  echo
  echo "- $t1: end-to-end (2b) $(f0 "$e2e") jobs/s ≥ 0.5 × raw batch claim (4b) $(f0 "$p4b_rows") rows/s = $half"
  echo "- $t2: p99 wake latency $p99 ms < 20 ms"
  echo "- $t3: end-to-end with $HISTORY finished jobs (5b) / without (2b) = $t3r ≥ 0.8"
  echo "- (info) $t1i: backlog drain (2a) $(f0 "$drain") jobs/s ≥ $half; $t3i: 5a / 2a = $t3ir ≥ 0.8"
  echo
  echo "Driver HTTP errors / unexpected statuses: $(grep -h -o 'errors=[0-9]* non2xx=[0-9]*' "$RAW" | awk -F'[= ]' '{e+=$2; n+=$4} END{print e+0 " / " n+0}');"\
       "service log WARN/ERROR lines: $svc_errors (${SVC_LOG#"$ROOT"/})."
  [[ -z $svc_messages ]] || { echo; echo '```'; echo "$svc_messages"; echo '```'; }
  [[ -z $skew_note ]] || { echo; echo "$skew_note"; }
} | tee "$RESULTS"
say "saved ${RESULTS#"$ROOT"/}; raw result lines in ${RAW#"$ROOT"/}"
