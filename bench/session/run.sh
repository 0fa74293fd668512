#!/usr/bin/env bash
# session-service benchmark: heartbeat throughput, event-log tail latency, session create→running.
#
#   1. heartbeats        HB_RUNNERS (1,000) runners registered, then HB_CONCURRENCY (32) requests in
#                        flight send POST /runners/{id}/heartbeat round-robin over all of them as fast
#                        as answered: HB_WARMUP (40) s not measured, HB_SECONDS (20) s measured.
#   2. event-log tail    two sessions with EV_SMALL (1,000) and EV_BIG (10,000,000) events in
#                        session.session_events (filled once by INSERT ... SELECT generate_series and
#                        reused while present); EV_N (2,000) sequential GET /sessions/{id}/events?limit=100
#                        each (interleaved, after EV_WARMUP rounds). Beside it the SQL alone: EXPLAIN
#                        (ANALYZE, BUFFERS) and pgbench (-c 1, EV_N transactions) of the service's query;
#                        and the same reads by one curl process (a client without a JVM).
#   3. create→running    LC_RUNNERS (20) runners × LC_SLOTS (50); LC_N (500) sessions, LC_CONCURRENCY (8)
#                        at a time: POST /sessions → POST /operations/{start}/complete as the placed
#                        runner → GET /sessions/{id} reads running. Then all are stopped. Then
#                        LC_SERIAL (100) more one at a time: the latency without queueing for the CPU.
#
# Usage: bench/session/run.sh [--quick]
#   --quick  smoke run: 200 runners (3 s + 5 s), 100,000 events, 300 reads, 100 sessions (~1 minute
#            plus the one-off event fill); the full run takes ~2.5 minutes plus the one-off 10M fill
#            (~75 s on the 2-core reference machine).
#
# Environment (defaults, quick defaults in brackets):
#   JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64; else any JDK 21+]   SB_PORT [18182]   FLEET_BENCH_DB [fleet_bench]
#   SB_HB_RUNNERS [1000|200] SB_HB_CONCURRENCY [32] SB_HB_WARMUP [40|3] SB_HB_SECONDS [20|5]
#   SB_EV_SMALL [1000] SB_EV_BIG [10000000|100000] SB_EV_N [2000|300] SB_EV_WARMUP [500|100] SB_EV_LIMIT [100]
#   SB_LC_RUNNERS [20] SB_LC_SLOTS [50] SB_LC_N [500|100] SB_LC_WARMUP [100|20] SB_LC_CONCURRENCY [8]
#   SB_LC_SERIAL [100|20]  sessions started one at a time after phase 3 (latency without CPU queueing)
#   SB_BUILD=1     build platform + session-service first (default: only if the jar is missing)
#   SB_REFILL=1    empty session.session_events and fill it again (default: reuse a complete fill)
#   SB_SERVICE_OPTS  extra JVM options for the service
#   SB_BUILD_WAIT_S [600]  how long to wait for a running Maven build before each phase
#
# Needs: PostgreSQL at 127.0.0.1:5432 (deploy/local/lib.sh creates role fleet and the database;
# CHECKPOINT is run as postgres if that role can log in over TCP), psql, pgbench, curl.
# The database is NOT recreated: the event fill survives between runs. Everything else of the run is
# removed from schema session first (runners, operations, leases, sessions other than the two event
# sessions). The schema is dropped (and so the fill redone) when the service's migrations changed.
# bench/startup.sh (drops the role's schemas) and bench/queue/run.sh (recreates the database) use
# the same database: they destroy the fill, and must not run at the same time (this script waits).
# Every phase is bounded by count and by a deadline; the service is stopped by its PID on any exit.
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/session
OUT=$ROOT/bench/.out
APP=$OUT/session-app
SVC_LOG=$OUT/session-service.log
RESULTS=$OUT/session-results.md
RAW=$OUT/session-raw.txt

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"

PORT=${SB_PORT:-18182}
DB=${FLEET_BENCH_DB:-fleet_bench}
PGHOST_=$FLEET_DB_HOST
PGPORT_=$FLEET_DB_PORT
HB_RUNNERS=${SB_HB_RUNNERS:-$(q 1000 200)}
HB_CONCURRENCY=${SB_HB_CONCURRENCY:-32}
HB_WARMUP=${SB_HB_WARMUP:-$(q 40 3)}
HB_SECONDS=${SB_HB_SECONDS:-$(q 20 5)}
EV_SMALL=${SB_EV_SMALL:-1000}
EV_BIG=${SB_EV_BIG:-$(q 10000000 100000)}
EV_N=${SB_EV_N:-$(q 2000 300)}
EV_WARMUP=${SB_EV_WARMUP:-$(q 500 100)}
EV_LIMIT=${SB_EV_LIMIT:-100}
LC_RUNNERS=${SB_LC_RUNNERS:-20}
LC_SLOTS=${SB_LC_SLOTS:-50}
LC_N=${SB_LC_N:-$(q 500 100)}
LC_WARMUP=${SB_LC_WARMUP:-$(q 100 20)}
LC_SERIAL=${SB_LC_SERIAL:-$(q 100 20)}
LC_CONCURRENCY=${SB_LC_CONCURRENCY:-8}
BUILD_WAIT_S=${SB_BUILD_WAIT_S:-600}
READY_TIMEOUT_S=90
PHASE_TIMEOUT_S=300      # the driver's own deadline per phase; the shell adds a margin on top
CLK_TCK=$(getconf CLK_TCK)
# The two event sessions have fixed ids (the event count in the last group), so a fill is found again.
session_uuid() { printf '5e55b000-0000-4000-8000-%012d' "$1"; }
SID_SMALL=$(session_uuid "$EV_SMALL")
SID_BIG=$(session_uuid "$EV_BIG")
EV_POOL=bench-events

BENCH_OTHERS='bench/(startup\.sh|queue/run\.sh)'
BENCH_SCHEMA=session
trap 'say "error: line $LINENO failed: $BASH_COMMAND"' ERR

for tool in psql pgbench curl; do command -v $tool >/dev/null || die "$tool is needed"; done
(( EV_SMALL < EV_BIG )) || die "SB_EV_SMALL ($EV_SMALL) must be below SB_EV_BIG ($EV_BIG)"

# ---- psql helpers -------------------------------------------------------------------------------
checkpoint() {   # needs a superuser (or pg_checkpoint); skipped with a note when there is none
  T=900 as_pg -c checkpoint 2>/dev/null || T=900 as_fleet -c checkpoint 2>/dev/null \
    || { [[ -n ${no_checkpoint:-} ]] || say "note: cannot CHECKPOINT (no superuser over TCP); figures may include checkpoint I/O"; no_checkpoint=1; }
}

# ---- 0. the app -------------------------------------------------------------------------------
mkdir -p "$OUT"
JAR=$ROOT/session-service/target/quarkus-app/quarkus-run.jar
if [[ ${SB_BUILD:-0} == 1 || ! -f $JAR ]]; then
  wait_for_quiet
  say "building platform + session-service ..."
  (cd "$ROOT" && timeout 900 ./mvnw -B -q package -pl platform,session-service -am -DskipTests) \
    || die "session-service does not build"
fi
wait_for_quiet   # do not copy a quarkus-app that a build is rewriting
rm -rf "$APP"
cp -a "$ROOT/session-service/target/quarkus-app" "$APP"
app_stamp="$(date -u -r "$APP/app" '+%Y-%m-%d %H:%M UTC'); HEAD then $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -z $(git -C "$ROOT" status --porcelain -- session-service platform 2>/dev/null) ]] || app_stamp+=" + uncommitted changes"
say "using a copy of session-service/target/quarkus-app (built $app_stamp) in ${APP#"$ROOT"/}"
# The migrations inside the jar: the fill is kept only while they stay the same.
mig_tmp=$(mktemp -d)
(cd "$mig_tmp" && "$JAVA_HOME/bin/jar" xf "$(ls "$APP"/app/session-service-*.jar | head -n 1)" db/migration)
mig_hash=$(cd "$mig_tmp" && find db -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
rm -rf "$mig_tmp"

# ---- 0. database ------------------------------------------------------------------------------
fleet_ensure_postgres
fleet_ensure_database "$DB"
pg_version=$(as_fleet -c "select current_setting('server_version')")
pg_settings=$(as_fleet -c "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings
  where name in ('autovacuum', 'shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size', 'work_mem')")
if [[ $(as_fleet -c "select count(*) from pg_namespace where nspname = 'session'") == 1 ]]; then
  stamp=$(as_fleet -c "select coalesce(obj_description('session'::regnamespace, 'pg_namespace'), '')")
  if [[ $stamp != "bench-migrations:$mig_hash" ]]; then
    say "schema session in $DB is from other migrations (${stamp:-unknown}): dropping it (the event fill is redone)"
    T=1800 as_fleet -c "drop schema session cascade"
  else
    say "removing the previous run's runners, sessions and operations (keeping the event sessions)"
    T=900 as_fleet -1 -c "truncate session.runners, session.operations, session.resource_leases" \
      -c "delete from session.session_events where session_id in
            (select id from session.sessions where pool <> '$EV_POOL')" \
      -c "delete from session.sessions where pool <> '$EV_POOL'"
    T=900 as_fleet -c "vacuum (analyze) session.runners, session.sessions, session.operations, session.resource_leases"
  fi
fi

# ---- 0. the service ---------------------------------------------------------------------------
export SB_CLIENT_TOKEN=bench-client-$(rand) SB_RUNNER_TOKEN=bench-runner-$(rand)
export SB_URL=http://127.0.0.1:$PORT
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is taken (set SB_PORT)"; fi
say "starting session-service on 127.0.0.1:$PORT (log: ${SVC_LOG#"$ROOT"/})"
# The event sessions are stopped sessions: a long retention keeps the pruner away from their logs.
FLEET_DB_HOST=$PGHOST_ FLEET_DB_PORT=$PGPORT_ FLEET_DB_NAME=$DB FLEET_DB_USER=$FLEET_DB_USER FLEET_DB_PASSWORD=$FLEET_DB_PASSWORD \
FLEET_AUTH_ADMIN_TOKENS=bench-admin-$(rand) FLEET_AUTH_RUNNER_TOKENS=$SB_RUNNER_TOKEN \
FLEET_AUTH_CLIENT_TOKENS=$SB_CLIENT_TOKEN QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 \
FLEET_SESSION_RETENTION=36500d \
  "$JAVA" -Xmx1g "-Xlog:gc:file=$OUT/session-service-gc.log:uptime" ${SB_SERVICE_OPTS:-} -jar "$APP/quarkus-run.jar" >"$SVC_LOG" 2>&1 </dev/null &
svc_pid=$!
export SB_SERVICE_PID=$svc_pid SB_CLK_TCK=$CLK_TCK
await_ready "$SB_URL" session-service
as_fleet -c "comment on schema session is 'bench-migrations:$mig_hash'"

# ---- helpers for the driver -------------------------------------------------------------------
: >"$RAW"
: >"$OUT/session-driver.log"
# drive LABEL PHASE ARGS...: runs the driver once; sets $res (its RESULT line)
drive() {
  local label=$1 out rc=0
  shift
  wait_for_quiet
  out=$(timeout $((PHASE_TIMEOUT_S + 240)) "$JAVA" -Xmx512m -XX:+UseSerialGC "$HERE/SessionBench.java" "$@" \
    timeout=$PHASE_TIMEOUT_S 2> >(tee -a "$OUT/session-driver.log" >&2)) || rc=$?
  mark_if_build "$label"
  res=$(grep '^RESULT ' <<<"$out" | tail -n 1 || true)
  [[ -n $res ]] || die "driver phase $label printed no result (exit $rc)"
  echo "$label $res" >>"$RAW"
  say "  $res"
  kill -0 "$svc_pid" 2>/dev/null || die "session-service died during $label; see ${SVC_LOG#"$ROOT"/}"
}
settle() {   # this server may run without autovacuum: give each phase the same kind of start
  T=900 as_fleet -c "vacuum (analyze) session.runners, session.sessions, session.operations, session.resource_leases"
  checkpoint
}
cpu_of() { echo "service $(kv "$1" service_cpu_s) s · PostgreSQL $(kv "$1" pg_cpu_s) s · driver $(kv "$1" driver_cpu_s) s · machine busy $(kv "$1" machine_busy_pct) %"; }

# ---- 2 (prepared first). the event log --------------------------------------------------------
# fill SESSION_ID COUNT: one stopped session with COUNT events (seq 1..COUNT, event_seq = COUNT), in
# one transaction; skipped when it is already there complete. Sets fill_s (seconds, or "reused").
fill() {
  local sid=$1 n=$2 t0=$SECONDS have
  have=$(as_fleet -c "select s.event_seq || ':' || (select count(*) from session.session_events e
      where e.session_id = s.id and e.seq in (1, $n)) from session.sessions s where s.id = '$sid'")
  if [[ $have == "$n:2" ]]; then fill_s=reused; say "  $n events of session $sid: already there"; return; fi
  say "  filling $n events for session $sid ..."
  T=7200 as_fleet -1 \
    -c "delete from session.session_events where session_id = '$sid'" \
    -c "delete from session.sessions where id = '$sid'" \
    -c "insert into session.sessions (id, pool, labels, owner, kind, state, state_reason, created_at, updated_at,
          started_at, ended_at, auto_pause, idle_human_ms, idle_agent_ms, last_human_activity_at,
          last_agent_activity_at, event_seq)
        values ('$sid', '$EV_POOL', '{}', 'bench', 'agent', 'stopped', 'bench event log', now() - interval '30 days',
          now(), now() - interval '30 days', now(), false, 180000, 180000, now(), now(), 0)" \
    -c "insert into session.session_events (session_id, seq, at, type, source, data)
        select '$sid'::uuid, g, now() - interval '30 days' + g * interval '100 ms',
          (array['output', 'tool_call', 'tool_result', 'input'])[1 + g % 4],
          (array['agent', 'system', 'human'])[1 + g % 3],
          jsonb_build_object('n', g, 'tool', 'shell', 'text', 'bench event ' || g || ' ' || repeat('x', 48))
        from generate_series(1, $n) g" \
    -c "update session.sessions set event_seq = $n where id = '$sid'"
  fill_s=$((SECONDS - t0))
  say "  filled in ${fill_s} s"
}
say "event log: sessions with $EV_SMALL and $EV_BIG events"
[[ ${SB_REFILL:-0} != 1 ]] || { say "  SB_REFILL=1: emptying session.session_events"; T=900 as_fleet -c "truncate session.session_events" -c "update session.sessions set event_seq = 0 where pool = '$EV_POOL'"; }
wait_for_quiet
fill "$SID_SMALL" "$EV_SMALL"; fill_small=$fill_s
fill "$SID_BIG" "$EV_BIG"; fill_big=$fill_s
if [[ $fill_small != reused || $fill_big != reused ]]; then
  T=1800 as_fleet -c "analyze session.session_events" -c "analyze session.sessions"
fi
checkpoint
ev_rows=$(T=900 as_fleet -c "select count(*) from session.session_events")
ev_size=$(as_fleet -c "select pg_size_pretty(pg_total_relation_size('session.session_events'))")
say "  session.session_events: $ev_rows rows, $ev_size with indexes"

# ---- 1. heartbeats ----------------------------------------------------------------------------
say "phase 1: $HB_RUNNERS runners, heartbeats with $HB_CONCURRENCY in flight (${HB_WARMUP} s warm-up, ${HB_SECONDS} s measured)"
settle
drive p1 heartbeat runners="$HB_RUNNERS" concurrency="$HB_CONCURRENCY" warmup="$HB_WARMUP" seconds="$HB_SECONDS"; r1=$res

# ---- 2. event-log tail ------------------------------------------------------------------------
say "phase 2: newest $EV_LIMIT events, $EV_N sequential reads per session (+$EV_WARMUP warm-up), interleaved"
settle
drive p2 events sessions="small:$SID_SMALL:$EV_SMALL,big:$SID_BIG:$EV_BIG" n="$EV_N" warmup="$EV_WARMUP" limit="$EV_LIMIT"; r2=$res

# The same reads by curl: one process, one kept-alive connection, no JVM on the client side. Tells
# how much of the tail above is the Java client's (its CPU competes for the same 2 cores).
pcts() {   # numbers (one a line) in, "p50 p95 p99 max" out (nearest rank, 3 decimals)
  sort -g | awk '{v[NR] = $1} END { if (NR == 0) { print "n/a n/a n/a n/a"; exit }
    split("50 95 99", p, " "); for (i = 1; i <= 3; i++) { r = int((NR * p[i] + 99) / 100); printf "%.3f ", v[r] }
    printf "%.3f\n", v[NR] }'
}
curl_cfg=$OUT/session-curl.cfg
{
  echo "header = \"Authorization: Bearer $SB_CLIENT_TOKEN\""
  echo 'write-out = "%{http_code} %{time_total} %{url_effective}\n"'
  for ((i = 0; i < EV_WARMUP + EV_N; i++)); do
    printf 'url = "%s"\noutput = "/dev/null"\n' "$SB_URL/sessions/$SID_SMALL/events?limit=$EV_LIMIT" \
      "$SB_URL/sessions/$SID_BIG/events?limit=$EV_LIMIT"
  done
} >"$curl_cfg"
wait_for_quiet
timeout 600 curl -s -K "$curl_cfg" >"$OUT/session-curl.txt" || die "curl reads failed"
rm -f "$curl_cfg"
mark_if_build p2-curl
curl_ok=$(tail -n +$((2 * EV_WARMUP + 1)) "$OUT/session-curl.txt" | awk '$1 == 200' | wc -l)
curl_small=$(tail -n +$((2 * EV_WARMUP + 1)) "$OUT/session-curl.txt" | awk -v s="$SID_SMALL" 'index($3, s) {print $2 * 1000}' | pcts)
curl_big=$(tail -n +$((2 * EV_WARMUP + 1)) "$OUT/session-curl.txt" | awk -v s="$SID_BIG" 'index($3, s) {print $2 * 1000}' | pcts)
echo "p2-curl ok=$curl_ok small=${curl_small// /,} big=${curl_big// /,}" >>"$RAW"
say "  curl: small p50/p95/p99/max $curl_small ms; big $curl_big ms; $curl_ok of $((2 * EV_N)) answered 200"

# The SQL alone, for the same two sessions: the service's statement (EventQueries.PAGE, as merged in
# bed9d03) with the parameters it binds for GET .../events?limit=L (no beforeSeq: Long.MAX_VALUE):
# the session row, then a backward scan of the primary key bounded to the newest L seqs.
TAIL_SQL="SELECT e.* FROM session.sessions s
LEFT JOIN LATERAL (
    SELECT seq, at, type, source, data::text AS data FROM session.session_events
    WHERE session_id = s.id AND seq < least(:before::bigint, s.event_seq + 1)
      AND seq >= least(:before::bigint, s.event_seq + 1) - :lim::int
    ORDER BY seq DESC LIMIT :lim::int) e ON true
WHERE s.id = :sid
ORDER BY e.seq"
printf '%s;\n' "$TAIL_SQL" >"$OUT/session-pgbench-tail.sql"
BEFORE_MAX=9223372036854775807
for which in small big; do
  sid=$SID_SMALL; [[ $which == big ]] && sid=$SID_BIG
  explain=$OUT/session-explain-$which.txt
  lit_sql=${TAIL_SQL//:sid/\'$sid\'}; lit_sql=${lit_sql//:before/$BEFORE_MAX}; lit_sql=${lit_sql//:lim/$EV_LIMIT}
  {
    echo "-- $(date -u '+%Y-%m-%d %H:%M UTC'), session $sid, table session.session_events $ev_rows rows"
    echo "$lit_sql" | sed 's/^/-- /'
    for run in 1 2; do
      echo "-- run $run"
      as_fleet -c "explain (analyze, buffers) $lit_sql"
    done
  } >"$explain"
  rm -f "$OUT"/session-pgbench-"$which".[0-9]*
  wait_for_quiet
  (cd "$OUT" && PGPASSWORD=$FLEET_DB_PASSWORD timeout 600 pgbench -h "$PGHOST_" -p "$PGPORT_" -U "$FLEET_DB_USER" -n \
      -M extended -c 1 -j 1 -t $((EV_N + EV_WARMUP)) -D sid="$sid" -D before=$BEFORE_MAX -D lim="$EV_LIMIT" -f session-pgbench-tail.sql \
      -l --log-prefix="session-pgbench-$which" "$DB" >"session-pgbench-$which.out" 2>&1) \
    || { cat "$OUT/session-pgbench-$which.out" >&2; die "pgbench $which failed"; }
  mark_if_build "p2-sql-$which"
  # per-transaction latency (µs, 3rd field); the warm-up transactions (the first EV_WARMUP) left out
  read -r sq_p50 sq_p99 sq_max < <(cat "$OUT"/session-pgbench-"$which".[0-9]* | tail -n +$((EV_WARMUP + 1)) | awk '{print $3}' \
    | sort -n | awk '{v[NR] = $1} END {
        r50 = int((NR * 50 + 99) / 100); r99 = int((NR * 99 + 99) / 100);
        printf "%.3f %.3f %.3f\n", v[r50] / 1000, v[r99] / 1000, v[NR] / 1000 }')
  exec_ms=$(grep -o 'Execution Time: [0-9.]*' "$explain" | tail -n 1 | awk '{print $3}')
  plan_ms=$(grep -o 'Planning Time: [0-9.]*' "$explain" | tail -n 1 | awk '{print $3}')
  bufs=$(sed -n '/^-- run 2/,$p' "$explain" | grep -m1 -o 'Buffers: [^)]*' || true)   # the top node's, run 2
  declare "sql_${which}=${sq_p50} ${sq_p99} ${sq_max}"
  declare "explain_${which}=${exec_ms} ms (planning ${plan_ms} ms)"
  declare "bufs_${which}=${bufs:-?}"
  echo "p2-sql-$which p50_ms=$sq_p50 p99_ms=$sq_p99 max_ms=$sq_max explain_exec_ms=$exec_ms" >>"$RAW"
  say "  SQL alone ($which): pgbench p50 $sq_p50 / p99 $sq_p99 / max $sq_max ms; EXPLAIN ANALYZE execution $exec_ms ms"
done
rm -f "$OUT"/session-pgbench-*.[0-9]*

# ---- 3. create → running ----------------------------------------------------------------------
say "phase 3: $LC_N sessions create→running, $LC_CONCURRENCY at a time, on $LC_RUNNERS runners × $LC_SLOTS"
settle
metric() { curl -fs --max-time 5 "$SB_URL/q/metrics" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $2} END {print s + 0}'; }
lat_sum0=$(metric fleet_session_start_latency_seconds_sum); lat_n0=$(metric fleet_session_start_latency_seconds_count)
drive p3 lifecycle runners="$LC_RUNNERS" maxSessions="$LC_SLOTS" n="$LC_N" warmup="$LC_WARMUP" concurrency="$LC_CONCURRENCY" serial="$LC_SERIAL"; r3=$res
lat_sum1=$(metric fleet_session_start_latency_seconds_sum); lat_n1=$(metric fleet_session_start_latency_seconds_count)
svc_start_mean=$(awk -v a="$lat_sum0" -v b="$lat_sum1" -v c="$lat_n0" -v d="$lat_n1" \
  'BEGIN { if (d > c) printf "%.2f ms over %d starts", 1000 * (b - a) / (d - c), d - c; else print "n/a" }')
live_left=$(as_fleet -c "select count(*) from session.sessions where pool = 'bench-start' and state not in ('stopped', 'error', 'expired')")
started_total=$(as_fleet -c "select count(*) from session.sessions where pool = 'bench-start'")

stop_service
svc_warn=$(grep -cE ' (ERROR|WARN) ' "$SVC_LOG" || true)
svc_messages=$(grep -E ' (ERROR|WARN) ' "$SVC_LOG" | sed -E 's/^[0-9:.]+ +//' | cut -c1-200 | sort | uniq -c | sort -rn | head -n 5 || true)

# ---- table ------------------------------------------------------------------------------------
f0() { awk -v x="$1" 'BEGIN{printf "%.0f", x}'; }
hb_rate=$(kv "$r1" rate)
hb_need=$(awk -v n="$HB_RUNNERS" 'BEGIN{printf "%.0f", n / 5}')
s_p99=$(kv "$r2" small_p99_ms); b_p99=$(kv "$r2" big_p99_ms); ev_ratio=$(kv "$r2" p99_ratio)
read -r ss50 ss99 ssmax <<<"$sql_small"; read -r sb50 sb99 sbmax <<<"$sql_big"
fill_note() { if [[ $1 == reused ]]; then echo "fill reused"; else echo "filled in $1 s"; fi; }
skew_note=""
(( ${#skewed[@]} == 0 )) || skew_note="**A Maven build or another benchmark ran during: ${skewed[*]} — those figures are skewed.**"
cmd="$({ env | grep -o '^SB_[A-Z_]*=[^ ]*' | grep -v -E '^SB_(URL|CLIENT_TOKEN|RUNNER_TOKEN|SERVICE_PID|CLK_TCK)=' || true; } | sort | tr '\n' ' ')bench/session/run.sh$( (( QUICK )) && echo ' --quick' || true)"
{
  echo "## session-service benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')$( (( QUICK )) && echo ' (--quick)')"
  echo
  echo "Command: \`$cmd\`."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM."
  echo "JDK: $("$JAVA" -version 2>&1 | head -n 1); service: -Xmx1g, default GC; driver: SessionBench.java (-Xmx512m, SerialGC), JDK HttpClient, HTTP/1.1."
  echo "PostgreSQL $pg_version ($pg_settings). App built $app_stamp."
  echo "PostgreSQL, the service and the driver share the same $(nproc) cores."
  echo
  echo "| # | figure | value | detail | CPU during the measurement |"
  echo "| --- | --- | ---: | --- | --- |"
  echo "| 1 | heartbeats/s, $(kv "$r1" runners) runners | $(f0 "$hb_rate") /s | $(kv "$r1" concurrency) in flight, $(kv "$r1" seconds) s measured after $(kv "$r1" warmup_s) s; $(kv "$r1" heartbeats) heartbeats, per second min $(kv "$r1" min_per_s) / max $(kv "$r1" max_per_s); $HB_RUNNERS runners at the 5 s cadence need $hb_need/s ($(ratio "$hb_rate" "$hb_need")× headroom) | $(cpu_of "$r1") |"
  echo "| 1 | heartbeat latency p50 / p99 / max | $(kv "$r1" p50_ms) / $(kv "$r1" p99_ms) / $(kv "$r1" max_ms) ms | under saturation ($(kv "$r1" concurrency) in flight); p90 $(kv "$r1" p90_ms) ms; not healthy answers $(kv "$r1" not_healthy); registering took $(kv "$r1" register_s) s | |"
  echo "| 2 | newest $EV_LIMIT events, session with $EV_SMALL events: p50 / p95 / p99 / max | $(kv "$r2" small_p50_ms) / $(kv "$r2" small_p95_ms) / $s_p99 / $(kv "$r2" small_max_ms) ms | $(kv "$r2" small_ok) of $(kv "$r2" measured) sequential GETs answered 200 (+$EV_WARMUP warm-up); table $ev_rows rows ($ev_size); $(fill_note "$fill_small"); wrong answers $(kv "$r2" small_bad) | $(cpu_of "$r2") (both sessions) |"
  echo "| 2 | newest $EV_LIMIT events, session with $EV_BIG events: p50 / p95 / p99 / max | $(kv "$r2" big_p50_ms) / $(kv "$r2" big_p95_ms) / $b_p99 / $(kv "$r2" big_max_ms) ms | $(kv "$r2" big_ok) of $(kv "$r2" measured) answered 200, interleaved with the small one; $(fill_note "$fill_big"); wrong answers $(kv "$r2" big_bad) | |"
  echo "| 2 | p99 ratio $EV_BIG / $EV_SMALL | $ev_ratio | | |"
  read -r cs50 cs95 cs99 csmax <<<"$curl_small"; read -r cb50 cb95 cb99 cbmax <<<"$curl_big"
  echo "| 2 | the same reads by curl, $EV_SMALL / $EV_BIG events: p50 / p95 / p99 / max | $cs50 / $cs95 / $cs99 / $csmax; $cb50 / $cb95 / $cb99 / $cbmax ms | one curl process, one kept-alive connection, $EV_N each (+$EV_WARMUP), interleaved; $curl_ok of $((2 * EV_N)) answered 200; p99 ratio $(ratio "$cb99" "$cs99") | |"
  echo "| 2 | SQL alone, $EV_SMALL events: p50 / p99 / max | $ss50 / $ss99 / $ssmax ms | pgbench -c 1 -M extended, $EV_N transactions (+$EV_WARMUP); EXPLAIN ANALYZE execution $explain_small, $bufs_small | |"
  echo "| 2 | SQL alone, $EV_BIG events: p50 / p99 / max | $sb50 / $sb99 / $sbmax ms | as above; EXPLAIN ANALYZE execution $explain_big, $bufs_big | |"
  echo "| 3 | create→running p50 / p99 / max | $(kv "$r3" p50_ms) / $(kv "$r3" p99_ms) / $(kv "$r3" max_ms) ms | POST /sessions → complete start (as the runner) → GET reads running; $(kv "$r3" running) of $LC_N sessions, $LC_CONCURRENCY at a time; steps p50/p99: create $(kv "$r3" create_p50_ms)/$(kv "$r3" create_p99_ms), complete $(kv "$r3" complete_p50_ms)/$(kv "$r3" complete_p99_ms), get $(kv "$r3" get_p50_ms)/$(kv "$r3" get_p99_ms) ms; service's own start latency (operation created → running) mean $svc_start_mean | $(cpu_of "$r3") |"
  echo "| 3 | create→running one at a time p50 / p99 / max | $(kv "$r3" serial_p50_ms) / $(kv "$r3" serial_p99_ms) / $(kv "$r3" serial_max_ms) ms | $(kv "$r3" serial_running) of $LC_SERIAL sessions, after the others were stopped; steps p50: create $(kv "$r3" serial_create_p50_ms), complete $(kv "$r3" serial_complete_p50_ms), get $(kv "$r3" serial_get_p50_ms) ms | |"
  echo "| 3 | sessions started/s | $(kv "$r3" rate) /s | $(kv "$r3" running) in $(kv "$r3" seconds) s; refused $(kv "$r3" refused), not running after completion $(kv "$r3" not_running); then stopped $(kv "$r3" stopped) in $(kv "$r3" stop_seconds) s (stop→stopped p50 $(kv "$r3" stop_p50_ms) ms); in the table afterwards: $started_total sessions of the phase (warm-up, measured, one at a time), $live_left of them still live | |"
  echo
  echo "Targets:"
  echo
  echo "- $(verdict "$b_p99" "<" 5): p99 newest $EV_LIMIT events at $EV_BIG events $b_p99 ms < 5 ms"
  echo "- $(verdict "$s_p99" "<" 5): p99 newest $EV_LIMIT events at $EV_SMALL events $s_p99 ms < 5 ms"
  echo "- $(verdict "$ev_ratio" "<" 2.0001): p99 ratio $ev_ratio ≤ 2"
  echo "- (info, the curl reads) $(verdict "$cb99" "<" 5) / $(verdict "$cs99" "<" 5): p99 $cb99 / $cs99 ms < 5 ms; ratio $(ratio "$cb99" "$cs99")"
  echo "- $(verdict "$hb_rate" ">=" "$hb_need"): $(f0 "$hb_rate") heartbeats/s ≥ $hb_need/s ($HB_RUNNERS runners every 5 s)"
  echo
  echo "Driver errors / unexpected statuses: $({ grep -h -o 'errors=[0-9]* unexpected=[0-9]*' "$RAW" || true; } | awk -F'[= ]' '{e+=$2; n+=$4} END{print e+0 " / " n+0}')$({ grep -h -o 'unexpected_codes=[^ ]*' "$RAW" || true; } | sed 's/^/ (/; s/$/)/' | tr -d '\n');"\
       "service log WARN/ERROR lines: $svc_warn (${SVC_LOG#"$ROOT"/}). EXPLAIN output: bench/.out/session-explain-{small,big}.txt."
  [[ -z $svc_messages ]] || { echo; echo '```'; echo "$svc_messages"; echo '```'; }
  [[ -z $skew_note ]] || { echo; echo "$skew_note"; }
} | tee "$RESULTS"
say "saved ${RESULTS#"$ROOT"/}; raw result lines in ${RAW#"$ROOT"/}"
