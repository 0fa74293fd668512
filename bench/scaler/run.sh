#!/usr/bin/env bash
# scaler-service benchmark: how fast the scaler reacts to an enqueue, and what one evaluation of
# 1,000 pools costs.
#
#   1. reaction          queue-, session- and scaler-service (packaged jars); one pool of the
#                        process backend (an instance is bench/scaler/instance.sh: stamps its start,
#                        then sleeps), min 0, max 1, no threshold rules, queue target 1 job per
#                        instance, no cooldowns, no stabilisation, rate limits out of reach.
#                        REACT_WARMUP (5) + REACT_N (100) times: enqueue one job → the scale-out
#                        0 → 1 recorded with outcome ok → claim and complete the job → the scale-in
#                        to 0 (it comes with the next 5 s round) recorded ok. Reaction = the event's
#                        `at` (the decision) − the time just before the enqueue was sent; beside it
#                        the instance's own start stamp and the event's `completedAt`.
#   1b. (diagnosis)      BUSY_N (5) enqueues sent while a scale-in's backend call is still running
#                        (the instance ignores SIGTERM, so the call lasts the pool's grace,
#                        BUSY_GRACE 2s): how long until the scale-out then.
#   2a. policy core      PolicyEvaluator.evaluate for POLICY_POOLS (1,000) pools (default threshold
#                        rules + queue target, 15 min of 5 s samples of cpu, queueDepth, inFlight),
#                        POLICY_WARMUP (200) rounds, then POLICY_ROUNDS (500) timed; no service.
#   2b. service round    POOLS (1,000) dry-run pools (and as many queues) created through the API;
#                        the scaler restarted so that its round timer holds only rounds over all of
#                        them; ROUND_WARMUP_S (15) s, then ROUND_SECONDS (30) s measured: the
#                        fleet_scaler_round timer from /q/metrics, and CPU per round.
#
# Usage: bench/scaler/run.sh [--quick]
#   The full run takes about 12 minutes on the 2-core reference machine (phase 1 is paced by the
#   scaler's 5 s rounds: every iteration waits for the round that scales the pool in again).
#   --quick  smoke run: 10 reactions, 2 busy samples, 200 pools, shorter windows (~2.5 minutes).
#
# Environment (defaults, quick defaults in brackets):
#   JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64; else any JDK 21+]   FLEET_BENCH_DB [fleet_bench]
#   SCB_BASE_PORT [18381]  queue-service on it, session-service +1, scaler-service +2
#   SCB_INSTANCE_PORTS [18390-18399]  the {port}s of the process backend's instances (nothing listens)
#   SCB_REACT_N [100|10] SCB_REACT_WARMUP [5|2]  SCB_PAUSE_MS [100-3000]  random pause before each enqueue
#   SCB_BUSY_N [5|2] SCB_BUSY_GRACE [2s]
#   SCB_POLICY_POOLS [1000] SCB_POLICY_ROUNDS [500|100] SCB_POLICY_WARMUP [200|50]
#   SCB_POOLS [1000|200] SCB_ROUND_WARMUP_S [15|5] SCB_ROUND_SECONDS [30|15]
#   SCB_EVAL_INTERVAL [5s]  the scaler's fleet.scaler.evaluation-interval
#   SCB_DB_POOL [5]  quarkus.datasource.reactive.max-size of each service (keeps the run at ~20 connections)
#   SCB_BUILD=1     build platform + queue-, session-, scaler-service first (default: only if a jar is missing)
#   SCB_SERVICE_OPTS  extra JVM options for the three services
#   SCB_BUILD_WAIT_S [600]  how long to wait for a running Maven build (or another benchmark) before each phase
#
# Needs: PostgreSQL at 127.0.0.1:5432 (deploy/local/lib.sh creates role fleet and the database),
# psql, curl. The database is NOT recreated (bench/session/run.sh keeps its event fill there): the
# schemas scaler and queue are dropped at the start (their services recreate them), schema session
# is left alone. The pools and queues of phase 2b stay until the next run. bench/startup.sh and
# bench/queue/run.sh reset that database: this script waits while they (or bench/session/run.sh)
# run, and gives up if one still runs after SCB_BUILD_WAIT_S. It also waits while a Maven build or
# a bin/test / .ci/run run (whose deploy/local/test-stack runs a whole stack) is under way.
# Everything is bounded (counts, deadlines); the three services are stopped by PID on any exit, and
# so are the instances the process backend started (found by PID from their stamps, checked by name).
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/scaler
OUT=$ROOT/bench/.out
RESULTS=$OUT/scaler-results.md
RAW=$OUT/scaler-raw.txt
DRIVER_LOG=$OUT/scaler-driver.log
STAMPS=$OUT/scaler-stamps.txt
QUEUE_LOG=$OUT/scaler-queue-service.log
SESSION_LOG=$OUT/scaler-session-service.log
SVC_LOG=$OUT/scaler-service.log            # the scaler's (lib.sh's name for the measured service's log)
ROUNDS_LOG=$OUT/scaler-service-rounds.log  # the scaler restarted for phase 2b

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"

DB=${FLEET_BENCH_DB:-fleet_bench}
PGHOST_=$FLEET_DB_HOST
PGPORT_=$FLEET_DB_PORT
BASE_PORT=${SCB_BASE_PORT:-18381}
QUEUE_PORT=$BASE_PORT
SESSION_PORT=$((BASE_PORT + 1))
SCALER_PORT=$((BASE_PORT + 2))
INSTANCE_PORTS=${SCB_INSTANCE_PORTS:-18390-18399}
REACT_N=${SCB_REACT_N:-$(q 100 10)}
REACT_WARMUP=${SCB_REACT_WARMUP:-$(q 5 2)}
PAUSE_MS=${SCB_PAUSE_MS:-100-3000}
BUSY_N=${SCB_BUSY_N:-$(q 5 2)}
BUSY_GRACE=${SCB_BUSY_GRACE:-2s}
POLICY_POOLS=${SCB_POLICY_POOLS:-1000}
POLICY_ROUNDS=${SCB_POLICY_ROUNDS:-$(q 500 100)}
POLICY_WARMUP=${SCB_POLICY_WARMUP:-$(q 200 50)}
POOLS=${SCB_POOLS:-$(q 1000 200)}
ROUND_WARMUP_S=${SCB_ROUND_WARMUP_S:-$(q 15 5)}
ROUND_SECONDS=${SCB_ROUND_SECONDS:-$(q 30 15)}
EVAL_INTERVAL=${SCB_EVAL_INTERVAL:-5s}
# Each service's reactive pool (default 20): three services at 20 held ~47 connections, enough to
# exhaust max_connections (100) beside a local stack; this load needs only a few.
DB_POOL=${SCB_DB_POOL:-5}
BUILD_WAIT_S=${SCB_BUILD_WAIT_S:-600}
READY_TIMEOUT_S=90
PHASE_TIMEOUT_S=900      # the driver's own deadline per phase; the shell adds a margin on top
CLK_TCK=$(getconf CLK_TCK)

BENCH_OTHERS='bench/(startup\.sh|queue/run\.sh|session/run\.sh)'
BENCH_SCHEMA=scaler
trap 'say "error: line $LINENO failed: $BASH_COMMAND"' ERR
# Beside a Maven build, wait for a whole bin/test (or .ci/run) run: after Maven it runs
# deploy/local/test-stack, five services and two runners without Maven, which lib.sh's check does
# not see. Next to this benchmark's three services it skews every figure, and the two together can
# use up PostgreSQL's connection slots (max_connections 100 here) and make that test fail.
build_running() { pgrep -f 'org\.codehaus\.plexus\.classworlds|/bin/test( |$)|\.ci/run|deploy/local/test-stack' >/dev/null 2>&1; }
busy_reason() {
  if other_bench_running; then echo "another benchmark ($BENCH_OTHERS)"; elif build_running; then echo "a Maven build or bin/test"; fi
}

for tool in psql curl; do command -v $tool >/dev/null || die "$tool is needed"; done
[[ $ROOT != *[[:space:]]* ]] || die "the repository path contains whitespace; the process backend splits its command on it"
[[ $PAUSE_MS =~ ^[0-9]+-[0-9]+$ ]] || die "SCB_PAUSE_MS must be MIN-MAX milliseconds, was $PAUSE_MS"

# ---- processes: three services, and the instances the process backend starts -------------------
queue_pid="" session_pid=""
# stop_pid (bench/lib.sh) stops each by PID.
# The process backend's instances outlive the scaler on purpose. Each wrote "<pid> <time>" to the
# stamp file when it started and then exec'd with argv[0] "scaler-bench-instance": a PID from the
# file is signalled only while its command line still says so (a recycled PID is left alone).
stop_instances() {
  local pid n=0
  [[ -f $STAMPS ]] || return 0
  for pid in $(awk '{print $1}' "$STAMPS"); do
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || continue
    [[ $(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) == scaler-bench-instance ]] || continue
    kill -KILL "$pid" 2>/dev/null && n=$((n + 1))
  done
  (( n == 0 )) || say "stopped $n instance process(es) the process backend had left running"
}
scaler_bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM ERR
  stop_service               # the scaler first: it acts on nothing more
  stop_instances
  stop_pid "$session_pid" session-service
  stop_pid "$queue_pid" queue-service
  exit "$rc"
}
trap scaler_bench_cleanup EXIT

# start_svc VAR NAME APP PORT LOG [JVM OPTIONS...]: starts a service from its copied quarkus-app in
# $OUT (the process backend's default working directory); its PID goes into VAR.
start_svc() {
  local var=$1 name=$2 app=$3 port=$4 log=$5
  shift 5
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is taken (set SCB_BASE_PORT)"; fi
  say "starting $name on 127.0.0.1:$port (log: ${log#"$ROOT"/})"
  # shellcheck disable=SC2086
  (cd "$OUT" && FLEET_DB_HOST=$PGHOST_ FLEET_DB_PORT=$PGPORT_ FLEET_DB_NAME=$DB FLEET_DB_USER=$FLEET_DB_USER \
    FLEET_DB_PASSWORD=$FLEET_DB_PASSWORD FLEET_AUTH_ADMIN_TOKENS=$SCB_ADMIN_TOKEN \
    FLEET_AUTH_RUNNER_TOKENS=$SCB_RUNNER_TOKEN FLEET_AUTH_CLIENT_TOKENS=$SCB_CLIENT_TOKEN \
    exec "$JAVA" -Xmx1g -Dquarkus.datasource.reactive.max-size="$DB_POOL" ${SCB_SERVICE_OPTS:-} "$@" \
      -Dquarkus.http.port="$port" -Dquarkus.http.host=127.0.0.1 \
      -jar "$app/quarkus-run.jar" >"$log" 2>&1 </dev/null) &
  printf -v "$var" '%s' "$!"
}
start_scaler() {   # start_scaler LOG
  SVC_LOG=$1
  start_svc svc_pid scaler-service "$CAPP" "$SCALER_PORT" "$SVC_LOG" \
    -Dfleet.scaler.queue-url="$SCB_QUEUE_URL" -Dfleet.scaler.session-url="$SCB_SESSION_URL" \
    -Dfleet.scaler.token="$SCB_ADMIN_TOKEN" -Dfleet.scaler.evaluation-interval="$EVAL_INTERVAL" \
    -Dfleet.scaler.process.log-dir="$OUT/scaler-process-logs"
  await_up "$SCB_SCALER_URL" scaler-service "$svc_pid" "$SVC_LOG"
  local i
  for ((i = 0; i < 150; i++)); do
    [[ $(metric fleet_scaler_leader) == 1 ]] && { say "  scaler-service leads"; return 0; }
    sleep 0.2
  done
  die "scaler-service did not become the leader within 30 s"
}
metric() {   # metric NAME: the sum of every series of NAME (any labels) on the scaler's /q/metrics
  curl -fs --max-time 5 "$SCB_SCALER_URL/q/metrics" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $2} END {print s + 0}'
}
metric_exact() {   # metric_exact 'NAME{labels}': one series, verbatim
  curl -fs --max-time 5 "$SCB_SCALER_URL/q/metrics" | awk -v m="$1" '$1 == m {print $2; found = 1} END {if (!found) print "nan"}'
}

# ---- 0. the apps ------------------------------------------------------------------------------
mkdir -p "$OUT"
SERVICES=(queue-service session-service scaler-service)
missing=0
for s in "${SERVICES[@]}"; do [[ -f $ROOT/$s/target/quarkus-app/quarkus-run.jar ]] || missing=1; done
if [[ ${SCB_BUILD:-0} == 1 || $missing == 1 ]]; then
  wait_for_quiet
  say "building platform, queue-service, session-service, scaler-service ..."
  (cd "$ROOT" && timeout 900 ./mvnw -B -q package -DskipTests -pl platform,queue-service,session-service,scaler-service -am) \
    || die "the services do not build"
fi
wait_for_quiet   # do not copy a quarkus-app that a build is rewriting
QAPP=$OUT/scaler-queue-app SAPP=$OUT/scaler-session-app CAPP=$OUT/scaler-app
rm -rf "$QAPP" "$SAPP" "$CAPP"
cp -a "$ROOT/queue-service/target/quarkus-app" "$QAPP"
cp -a "$ROOT/session-service/target/quarkus-app" "$SAPP"
cp -a "$ROOT/scaler-service/target/quarkus-app" "$CAPP"
SCALER_JAR=$(ls "$CAPP"/app/scaler-service-*.jar | head -n 1)
app_stamp="$(date -u -r "$CAPP/app" '+%Y-%m-%d %H:%M UTC'); HEAD then $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -z $(git -C "$ROOT" status --porcelain -- platform "${SERVICES[@]}" 2>/dev/null) ]] || app_stamp+=" + uncommitted changes"
say "using copies of the three services' target/quarkus-app (scaler built $app_stamp) in ${OUT#"$ROOT"/}/scaler-*app"

: >"$RAW"
: >"$DRIVER_LOG"
# drive LABEL PHASE ARGS...: runs the driver once (scaler-service's jar on the class path: phase
# policy needs it, and the source launcher compiles the whole file); sets $res (its RESULT line).
drive() {
  local label=$1 out rc=0 opts=(-Xmx512m -XX:+UseSerialGC)
  shift
  wait_for_quiet
  # the policy core runs as the service would run it: -Xmx1g, the default GC
  [[ $1 != policy ]] || opts=(-Xmx1g)
  out=$(timeout $((PHASE_TIMEOUT_S + 120)) "$JAVA" "${opts[@]}" -cp "$SCALER_JAR" "$HERE/ScalerBench.java" "$@" \
    timeout=$PHASE_TIMEOUT_S 2> >(tee -a "$DRIVER_LOG" >&2)) || rc=$?
  if [[ $1 == policy ]]; then   # no service and no schema yet: only the build check
    local why; why=$(busy_reason)
    [[ -z $why ]] || { skewed+=("$label"); say "WARNING: $why ran during $label (figures skewed)"; }
  else
    mark_if_build "$label"
  fi
  res=$(grep '^RESULT ' <<<"$out" | tail -n 1 || true)
  [[ -n $res ]] || die "driver phase $label printed no result (exit $rc)"
  echo "$label $res" >>"$RAW"
  say "  $res"
  if [[ $1 != policy ]]; then
    kill -0 "$svc_pid" 2>/dev/null || die "scaler-service died during $label; see ${SVC_LOG#"$ROOT"/}"
  fi
}

# ---- 2a (first: nothing else runs yet). the policy core ---------------------------------------
say "phase 2a: PolicyEvaluator.evaluate over $POLICY_POOLS pools, $POLICY_WARMUP rounds warm-up, $POLICY_ROUNDS timed"
drive p2a policy pools="$POLICY_POOLS" rounds="$POLICY_ROUNDS" warmup="$POLICY_WARMUP" minutes=15 stepSeconds=5; r2a=$res

# ---- 0. database ------------------------------------------------------------------------------
fleet_ensure_postgres
fleet_ensure_database "$DB"
pg_version=$(as_fleet -c "select current_setting('server_version')")
pg_settings=$(as_fleet -c "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings
  where name in ('autovacuum', 'shared_buffers', 'synchronous_commit', 'fsync')")
say "dropping schemas scaler and queue in $DB (their services recreate them; schema session is kept)"
T=300 as_fleet -c "drop schema if exists scaler cascade" -c "drop schema if exists queue cascade"
stop_instances   # left by an earlier run that was killed hard
: >"$STAMPS"

# ---- 0. the services --------------------------------------------------------------------------
export SCB_ADMIN_TOKEN=bench-admin-$(rand) SCB_CLIENT_TOKEN=bench-client-$(rand) SCB_RUNNER_TOKEN=bench-runner-$(rand)
export SCB_QUEUE_URL=http://127.0.0.1:$QUEUE_PORT SCB_SESSION_URL=http://127.0.0.1:$SESSION_PORT SCB_SCALER_URL=http://127.0.0.1:$SCALER_PORT
wait_for_quiet
start_svc queue_pid queue-service "$QAPP" "$QUEUE_PORT" "$QUEUE_LOG"
start_svc session_pid session-service "$SAPP" "$SESSION_PORT" "$SESSION_LOG"
await_up "$SCB_QUEUE_URL" queue-service "$queue_pid" "$QUEUE_LOG"
await_up "$SCB_SESSION_URL" session-service "$session_pid" "$SESSION_LOG"
start_scaler "$OUT/scaler-service.log"

admin() {   # admin METHOD PATH [BODY]: a call to the scaler as admin; prints the status
  curl -s -o "$OUT/scaler-admin-answer.json" -w '%{http_code}' --max-time 10 -X "$1" \
    -H "Authorization: Bearer $SCB_ADMIN_TOKEN" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SCB_SCALER_URL$2"
}
# pool_spec COMMAND GRACE: the reaction pools — max 1, queue target 1 job per instance, no damping
pool_spec() {
  local limits='{"maxInstances": 1000, "per": "1s"}'
  printf '{"minInstances": 0, "maxInstances": 1,
    "backend": {"kind": "process", "settings": {"command": "%s", "health": "none", "grace": "%s", "ports": "%s"}},
    "policy": {"rules": [], "queueTarget": {"jobsPerInstance": 1}, "scaleOutCooldown": "0s", "scaleInCooldown": "0s",
      "scaleInStabilisation": "0s", "maxScaleOut": %s, "maxScaleIn": %s}}' "$1" "$2" "$INSTANCE_PORTS" "$limits" "$limits"
}
put_pool() {
  local code
  code=$(admin PUT "/pools/$1" "$2")
  [[ $code == 20[01] ]] || die "PUT /pools/$1 answered $code: $(cat "$OUT/scaler-admin-answer.json")"
}

# ---- 1. reaction ------------------------------------------------------------------------------
say "phase 1: $REACT_N enqueues (+$REACT_WARMUP warm-up) → scale-out 0 → 1 → job done → scale-in to 0"
put_pool bench-react "$(pool_spec "$HERE/instance.sh $STAMPS" 1s)"
drive p1 react pool=bench-react n="$REACT_N" warmup="$REACT_WARMUP" pauseMs="$PAUSE_MS" stamps="$STAMPS"; r1=$res

# ---- 1b. an enqueue while a backend call runs -------------------------------------------------
say "phase 1b (diagnosis): $BUSY_N enqueues while a scale-in's backend call runs (grace $BUSY_GRACE, SIGTERM ignored)"
put_pool bench-busy "$(pool_spec "$HERE/instance.sh $STAMPS ignore-term" "$BUSY_GRACE")"
drive p1b busy pool=bench-busy n="$BUSY_N"; r1b=$res
for p in bench-react bench-busy; do
  code=$(admin DELETE "/pools/$p")
  [[ $code == 204 ]] || say "note: DELETE /pools/$p answered $code: $(cat "$OUT/scaler-admin-answer.json")"
done

# ---- 2b. the service's round over POOLS pools -------------------------------------------------
say "phase 2b: $POOLS dry-run pools and queues through the API, then the scaler's rounds over them"
drive p2b-create pools n="$POOLS" concurrency=4 prefix=bench-pool- command="$HERE/instance.sh $STAMPS"; r2c=$res
T=300 as_fleet -c "vacuum (analyze) scaler.pools, scaler.events, scaler.samples" -c "vacuum (analyze) queue.queues"
say "  restarting scaler-service, so that its round timer holds only rounds over the $POOLS pools"
stop_service
stop_instances
start_scaler "$ROUNDS_LOG"
wait_for_quiet
sleep "$ROUND_WARMUP_S"
# scaler_threads: CPU ticks of the scaler's evaluator thread (rounds run there), of its Vert.x event
# loops (they decode the rounds' database rows, and serve HTTP) and of the whole process.
scaler_threads() {
  local t comm ticks ev=0 loop=0
  for t in /proc/"$svc_pid"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    ticks=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    case $comm in
      scaler-evaluato*) ev=$((ev + ticks)) ;;
      vert.x-eventloo*) loop=$((loop + ticks)) ;;
    esac
  done
  echo "$ev $loop $(awk '{print $14+$15}' "/proc/$svc_pid/stat")"
}
cpu_snap() {   # machine busy/total ticks; scaler, queue, session, PostgreSQL CPU ticks; scaler_threads
  local busy total
  read -r busy total < <(awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6; exit}' /proc/stat)
  echo "$busy $total $(awk '{print $14+$15}' "/proc/$svc_pid/stat") $(awk '{print $14+$15}' "/proc/$queue_pid/stat")" \
    "$(awk '{print $14+$15}' "/proc/$session_pid/stat")" \
    "$({ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '$2=="(postgres)"{s+=$14+$15+$16+$17} END{print s+0}')" \
    "$(scaler_threads)"
}
n0=$(metric fleet_scaler_round_seconds_count); s0=$(metric fleet_scaler_round_seconds_sum); c0=$(cpu_snap)
sleep "$ROUND_SECONDS"
n1=$(metric fleet_scaler_round_seconds_count); s1=$(metric fleet_scaler_round_seconds_sum); c1=$(cpu_snap)
mark_if_build p2b
r_p50=$(metric_exact 'fleet_scaler_round_seconds{quantile="0.5"}')
r_p99=$(metric_exact 'fleet_scaler_round_seconds{quantile="0.99"}')
r_max=$(metric fleet_scaler_round_seconds_max)
r_pools=$(metric fleet_scaler_pools)
r_all=$n1
round_fail=$(grep -c 'evaluation round failed' "$ROUNDS_LOG" || true)
read -r rounds r_mean cpu_rounds < <(awk -v n0="$n0" -v n1="$n1" -v s0="$s0" -v s1="$s1" -v hz="$CLK_TCK" \
  -v c0="$c0" -v c1="$c1" 'BEGIN {
    split(c0, a, " "); split(c1, b, " "); n = n1 - n0
    per = (n > 0) ? n : 1
    ev = (b[7]-a[7])/hz/per; loop = (b[8]-a[8])/hz/per; all = (b[9]-a[9])/hz/per
    printf "%d %.3f scaler %.3f s (evaluator thread %.3f s, event loops %.3f s, the rest %.3f s) · queue-service %.3f s · session-service %.3f s · PostgreSQL %.3f s per round; machine busy %.0f %%\n",
      n, (n > 0) ? (s1 - s0) / n : 0, all, ev, loop, all - ev - loop, (b[4]-a[4])/hz/per, (b[5]-a[5])/hz/per, (b[6]-a[6])/hz/per,
      (b[2] > a[2]) ? 100 * (b[1]-a[1]) / (b[2]-a[2]) : 0 }')
echo "p2b rounds=$rounds mean_s=$r_mean p50_s=$r_p50 p99_s=$r_p99 max_s=$r_max rounds_since_start=$r_all pools=$r_pools round_failures=$round_fail cpu=\"$cpu_rounds\"" >>"$RAW"
say "  $rounds rounds in ${ROUND_SECONDS} s: mean $r_mean s, p50 $r_p50 s, p99 $r_p99 s, max $r_max s ($r_all since the start); $cpu_rounds"
# What the round reads over REST, timed by curl (10 each, p50): every queue, every runner.
read_p50() {
  local i
  for ((i = 0; i < 10; i++)); do
    curl -s -o /dev/null -w '%{time_total} %{size_download}\n' --max-time 10 -H "Authorization: Bearer $SCB_ADMIN_TOKEN" "$1"
  done | sort -g | awk '{t[NR] = $1; s = $2} END {printf "%.1f ms (%.0f KB)", 1000 * t[int((NR + 1) / 2)], s / 1024}'
}
reads="GET /queues $(read_p50 "$SCB_QUEUE_URL/queues"), GET /runners $(read_p50 "$SCB_SESSION_URL/runners")"
echo "p2b-reads $reads" >>"$RAW"
say "  the round's REST reads by curl, p50 of 10: $reads"
(( rounds > 0 )) || say "WARNING: no round completed in the measured window (failed rounds: $round_fail; see ${ROUNDS_LOG#"$ROOT"/})"

stop_service
stop_instances
stop_pid "$session_pid" session-service; session_pid=""
stop_pid "$queue_pid" queue-service; queue_pid=""
svc_warn=$(cat "$OUT/scaler-service.log" "$ROUNDS_LOG" | grep -cE ' (ERROR|WARN) ' || true)
svc_messages=$(cat "$OUT/scaler-service.log" "$ROUNDS_LOG" | grep -E ' (ERROR|WARN) ' | sed -E 's/^[0-9:.]+ +//' | cut -c1-200 | sort | uniq -c | sort -rn | head -n 5 || true)

# ---- table ------------------------------------------------------------------------------------
ms_of() { awk -v x="$1" 'BEGIN{ if (x == "nan" || x == "") print "n/a"; else printf "%.0f", 1000 * x }'; }
d99=$(kv "$r1" decision_p99_ms)
skew_note=""
(( ${#skewed[@]} == 0 )) || skew_note="**A Maven build or another benchmark ran during: ${skewed[*]} — those figures are skewed.**"
cmd="$({ env | grep -o '^SCB_[A-Z_]*=[^ ]*' | grep -v -E '^SCB_(ADMIN|CLIENT|RUNNER)_TOKEN=|^SCB_[A-Z]*_URL=' || true; } | sort | tr '\n' ' ')bench/scaler/run.sh$( (( QUICK )) && echo ' --quick' || true)"
{
  echo "## scaler-service benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')$( (( QUICK )) && echo ' (--quick)')"
  echo
  echo "Command: \`$cmd\`."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM."
  echo "JDK: $("$JAVA" -version 2>&1 | head -n 1); services: -Xmx1g, default GC, reactive pool max $DB_POOL; driver: ScalerBench.java (-Xmx512m, SerialGC; phase 2a -Xmx1g, default GC)."
  echo "PostgreSQL $pg_version ($pg_settings). Apps built $app_stamp."
  echo "PostgreSQL, the three services and the driver share the same $(nproc) cores. Scaler: evaluation-interval $EVAL_INTERVAL."
  echo
  echo "| # | figure | value | detail |"
  echo "| --- | --- | ---: | --- |"
  echo "| 1 | reaction: enqueue sent → scale-out decided (event \`at\`), p50 / p90 / p99 / max | $(kv "$r1" decision_p50_ms) / $(kv "$r1" decision_p90_ms) / $d99 / $(kv "$r1" decision_max_ms) ms | $(kv "$r1" measured) of $REACT_N enqueues (+$REACT_WARMUP warm-up), failed $(kv "$r1" failed); min $(kv "$r1" decision_min_ms) ms; rules $(kv "$r1" rules); triggered by the enqueue's NOTIFY fleet_queue (the periodic round comes only every $EVAL_INTERVAL) |"
  echo "| 1 | enqueue sent → the instance process runs (its own start stamp), p50 / p90 / p99 / max | $(kv "$r1" started_p50_ms) / $(kv "$r1" started_p90_ms) / $(kv "$r1" started_p99_ms) / $(kv "$r1" started_max_ms) ms | decision → instance running p50 / p99 $(kv "$r1" start_after_decision_p50_ms) / $(kv "$r1" start_after_decision_p99_ms) ms: the pool's inputs read over REST, the event and the pool written, then the backend reconciles and spawns; $(kv "$r1" started_n) stamps |"
  echo "| 1 | enqueue sent → backend call done (event \`completedAt\`), p50 / p90 / p99 / max | $(kv "$r1" completed_p50_ms) / $(kv "$r1" completed_p90_ms) / $(kv "$r1" completed_p99_ms) / $(kv "$r1" completed_max_ms) ms | includes the process backend's start-check (a process must live 1 s to count as started) |"
  echo "| 1 | the enqueue itself (sent → 201) p50 / p99; 201 → decision p50 / p99 | $(kv "$r1" enqueue_p50_ms) / $(kv "$r1" enqueue_p99_ms); $(kv "$r1" after201_p50_ms) / $(kv "$r1" after201_p99_ms) ms | |"
  echo "| 1 | scale-in: job completed → scale-in decided, p50 (min–max) | $(kv "$r1" scalein_wait_p50_ms) ($(kv "$r1" scalein_wait_min_ms)–$(kv "$r1" scalein_wait_max_ms)) ms | completing a job sends no NOTIFY: the next periodic round decides it; the stop itself (SIGTERM, exit) p50 $(kv "$r1" scalein_call_p50_ms) ms; machine busy $(kv "$r1" machine_busy_pct) % during phase 1 |"
  echo "| 1b | (diag.) enqueue during a running backend call → scale-out decided, p50 (min–max) | $(kv "$r1b" reaction_p50_ms) ($(kv "$r1b" reaction_min_ms)–$(kv "$r1b" reaction_max_ms)) ms | $(kv "$r1b" measured) of $BUSY_N samples (not during a call: $(kv "$r1b" not_during)); the scale-in's call (grace $BUSY_GRACE, SIGTERM ignored) ended p50 $(kv "$r1b" call_left_p50_ms) ms after the enqueue; scale-out decided $(kv "$r1b" after_call_p50_ms) ($(kv "$r1b" after_call_min_ms)–$(kv "$r1b" after_call_max_ms)) ms after the call ended |"
  echo "| 2a | policy core: evaluate $(kv "$r2a" pools) pools, p50 / p90 / p99 / max | $(kv "$r2a" p50_ms) / $(kv "$r2a" p90_ms) / $(kv "$r2a" p99_ms) / $(kv "$r2a" max_ms) ms | per pool p50 $(kv "$r2a" per_pool_p50_us) µs; $(kv "$r2a" rounds) rounds after $(kv "$r2a" warmup); $(kv "$r2a" samples_per_metric) samples per metric (cpu, queueDepth, inFlight), load shapes $(kv "$r2a" shapes); decisions $(kv "$r2a" kinds) ($(kv "$r2a" decision_rules)); $(kv "$r2a" alloc_per_round_kb) KB allocated per round, GC $(kv "$r2a" gc_ms) ms in all |"
  echo "| 2b | service round over $r_pools pools: mean (Δsum/Δcount) / p50 / p99 / max | $(ms_of "$r_mean") / $(ms_of "$r_p50") / $(ms_of "$r_p99") / $(ms_of "$r_max") ms | fleet_scaler_round: $rounds rounds in the $ROUND_SECONDS s window (mean); p50/p99/max over the $r_all since the restart, the first (cold) one included — it is normally the max; dry-run pools, default rules + queue target 4, one empty queue each, no runners; $cpu_rounds; failed rounds $round_fail; the same reads as the round by curl: $reads |"
  echo "| 2b | creating $POOLS queues + pools through the API | $(kv "$r2c" seconds) s | $(kv "$r2c" queues) queues (PUT /queues/{q}), $(kv "$r2c" pools) pools (PUT /pools/{p}), 4 at a time |"
  echo
  echo "Targets:"
  echo
  echo "- $(verdict "$d99" "<" 1000): reaction p99 $d99 ms < 1 s (enqueue sent → scale-out decided)"
  echo "- (info) $(verdict "$(kv "$r1" started_p99_ms)" "<" 1000): enqueue sent → instance running p99 $(kv "$r1" started_p99_ms) ms < 1 s"
  echo
  echo "Driver errors / unexpected statuses: $({ grep -h -o 'errors=[0-9]* unexpected=[0-9]*' "$RAW" || true; } | awk -F'[= ]' '{e+=$2; n+=$4} END{print e+0 " / " n+0}')$({ grep -h -o 'unexpected_codes=[^ ]*' "$RAW" || true; } | sed 's/^/ (/; s/$/)/' | tr -d '\n');"\
       "scaler log WARN/ERROR lines: $svc_warn (bench/.out/scaler-service*.log)."
  [[ -z $svc_messages ]] || { echo; echo '```'; echo "$svc_messages"; echo '```'; }
  [[ -z $skew_note ]] || { echo; echo "$skew_note"; }
} | tee "$RESULTS"
say "saved ${RESULTS#"$ROOT"/}; raw result lines in ${RAW#"$ROOT"/}"
