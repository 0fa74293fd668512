#!/usr/bin/env bash
# The job path users run: real fleet-runner processes against queue-, session- and telemetry-service,
# beside Graphile Worker 0.17.3 (from npm) on the same PostgreSQL, in one run.
#
# Cases (each: N jobs enqueued first, workers idle and waiting, then the clock runs until the queue is empty):
#   fleet noop      RB_RUNNERS x fleet-runner --concurrency RB_CONCURRENCY, defaults (adaptive claim-ahead, batched
#                   outcomes); RB_N no-op jobs batch-enqueued (1000 per call) into a paused queue, then resumed
#   fleet noop, --claim-ahead RB_CONCURRENCY   the same with a fixed buffer of one round (the former default)
#   fleet sleep     RB_SLEEP_N jobs of 10 ms; slot efficiency = jobs/s / (slots / 10 ms)
#   fleet wake      RB_WAKE_N single enqueues 20 ms apart into a queue the idle runners long-poll:
#                   enqueue -> claim (queue.jobs created_at -> attempted_at), p50/p99
#   graphile noop / sleep, defaults    one node process, concurrency = RB_RUNNERS x RB_CONCURRENCY
#   graphile noop / sleep, batched     the same with localQueue.size RB_GW_LOCAL_QUEUE, completeJobBatchDelay 0
#                   (jobs added in one graphile_worker.add_jobs transaction; the clock starts at its commit)
# CPU per process (runners, services, node, all postgres processes) over each measured window.
#
# Usage: flock /work/.bench.lock bench/runner/run.sh      (about 3 minutes on the 2-core machine)
# Environment [defaults]: FLEET_DB_PORT [5432] RB_N [50000] RB_SLEEP_N [10000] RB_RUNNERS [2]
#   RB_WARMUP [50000] jobs of a discarded round before each measured one (a fifth of it for sleep jobs), on the
#   same workers, so that JIT warm-up is not measured (0: none; after 10000, C2 still took ~45 % of a runner's CPU)
#   RB_FLEET_ARGS  extra fleet-runner arguments for every Fleet case (e.g. --claim-ahead-horizon 100ms)
#   RB_CONCURRENCY [12] RB_GW_LOCAL_QUEUE [200] RB_BASE_PORT [18380] RB_DB [fleet_bench_runner]
#   RB_BUILD_WAIT_S [60] how long to wait for a Maven build beside it to end (then: measured anyway, marked skewed)
#   RB_BUILD=1 build the services and the runner first (default: only when missing)
#   RB_CASES [all] a comma list of fleet-noop, fleet-ahead, fleet-sleep, graphile (e.g. while profiling)
#   RB_RUNNER_JAVA_OPTS, RB_QUEUE_JAVA_OPTS  extra JVM options (e.g. -XX:StartFlightRecording=...)
# Needs: node ≥ 18 and npm (graphile-worker@0.17.3 is installed into bench/.out/graphile), psql, curl,
# a PostgreSQL superuser over TCP or as the postgres OS user (to recreate RB_DB).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/runner
OUT=$ROOT/bench/.out/runner
GW_DIR=$ROOT/bench/.out/graphile
RESULTS=$OUT/results.md
N=${RB_N:-50000}
SLEEP_N=${RB_SLEEP_N:-10000}
WARMUP=${RB_WARMUP:-50000}
RUNNERS=${RB_RUNNERS:-2}
CONC=${RB_CONCURRENCY:-12}
GW_LOCAL_QUEUE=${RB_GW_LOCAL_QUEUE:-200}
BASE=${RB_BASE_PORT:-18380}
DB=${RB_DB:-fleet_bench_runner}
PGHOST_=127.0.0.1
PGPORT_=${FLEET_DB_PORT:-5432}
READY_TIMEOUT_S=90
BUILD_WAIT_S=${RB_BUILD_WAIT_S:-60}
BENCH_OTHERS='bench/runner/run\.sh --never-matches'
BENCH_SCHEMA=queue
SVC_LOG=$OUT/queue-service.log
export FLEET_DB_HOST=$PGHOST_ FLEET_DB_PORT=$PGPORT_
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"
for tool in node npm psql curl; do command -v $tool >/dev/null || die "$tool is needed"; done
mkdir -p "$OUT"

# ---- builds, apps, Graphile ----------------------------------------------------------------------
if [[ ${RB_BUILD:-0} == 1 || ! -f $ROOT/queue-service/target/quarkus-app/quarkus-run.jar
      || ! -f $ROOT/fleet-runner/target/fleet-runner.jar ]]; then
  say "building the services and fleet-runner ..."
  (cd "$ROOT" && timeout 900 ./mvnw -B -q package -DskipTests -pl queue-service,session-service,telemetry-service,fleet-runner -am) \
    || die "build failed"
fi
rm -rf "$OUT/apps" && mkdir -p "$OUT/apps"
for s in queue-service session-service telemetry-service; do cp -a "$ROOT/$s/target/quarkus-app" "$OUT/apps/$s"; done
mkdir -p "$OUT/apps/fleet-runner" && cp -a "$ROOT/fleet-runner/target/fleet-runner.jar" "$ROOT/fleet-runner/target/lib" "$OUT/apps/fleet-runner/"
if [[ $(node -e "try{console.log(require('$GW_DIR/node_modules/graphile-worker/package.json').version)}catch{}") != 0.17.3 ]]; then
  say "installing graphile-worker@0.17.3 from npm into ${GW_DIR#"$ROOT"/}"
  mkdir -p "$GW_DIR" && echo '{"private": true}' >"$GW_DIR/package.json"
  (cd "$GW_DIR" && timeout 600 npm install --no-audit --no-fund --silent graphile-worker@0.17.3) || die "npm install failed"
fi

# ---- database ----------------------------------------------------------------------------------
say "recreating database $DB on port $PGPORT_"
_fleet_psql_admin -c "drop database if exists \"$DB\"" >/dev/null
fleet_ensure_database "$DB"
DB_URL="postgres://$FLEET_DB_USER:$FLEET_DB_PASSWORD@$PGHOST_:$PGPORT_/$DB"

# ---- services ------------------------------------------------------------------------------------
ADMIN=bench-admin-$(rand) RUNNER=bench-runner-$(rand) CLIENT=bench-client-$(rand)
pids=()
extra_pids=()
bench_on_exit() { local p; for p in "${extra_pids[@]}" "${pids[@]}"; do stop_pid "$p" process; done; }
start_service() { # name port
  FLEET_DB_NAME=$DB FLEET_AUTH_ADMIN_TOKENS=$ADMIN FLEET_AUTH_RUNNER_TOKENS=$RUNNER FLEET_AUTH_CLIENT_TOKENS=$CLIENT \
    "$JAVA" -Xmx512m -XX:+UseSerialGC ${3:-} -Dquarkus.http.port="$2" -Dquarkus.http.host=127.0.0.1 \
    -jar "$OUT/apps/$1/quarkus-run.jar" >"$OUT/$1.log" 2>&1 </dev/null &
  pids+=($!)
  await_up "http://127.0.0.1:$2" "$1" "$!" "$OUT/$1.log"
}
start_service queue-service $BASE "${RB_QUEUE_JAVA_OPTS:-}";     QUEUE_PID=${pids[-1]}
start_service session-service $((BASE + 1)); SESSION_PID=${pids[-1]}
start_service telemetry-service $((BASE + 2)); TELEMETRY_PID=${pids[-1]}
QURL=http://127.0.0.1:$BASE

runner_pids=()
start_runners() { # queue extra-args...
  local q=$1 i; shift
  runner_pids=()
  for ((i = 0; i < RUNNERS; i++)); do
    "$JAVA" -Xmx256m -XX:+UseSerialGC ${RB_RUNNER_JAVA_OPTS:-} -jar "$OUT/apps/fleet-runner/fleet-runner.jar" --pool "$q" --queue "$q" \
      --concurrency "$CONC" --port 0 --queue-url "$QURL" --session-url "http://127.0.0.1:$((BASE + 1))" \
      --telemetry-url "http://127.0.0.1:$((BASE + 2))" --token "$RUNNER" --grace 10s ${RB_FLEET_ARGS:-} "$@" \
      >"$OUT/runner-$q-$i.log" 2>&1 </dev/null &
    runner_pids+=($!)
    extra_pids+=($!)
  done
  # Ready when every runner has registered in session-service (it then claims).
  for ((i = 0; i < 300; i++)); do
    local n
    n=$(curl -fs -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$((BASE + 1))/runners?pool=$q" \
      | grep -o '"id"' | wc -l || true)
    (( n >= RUNNERS )) && { sleep 1; return 0; }
    sleep 0.2
  done
  die "runners for $q did not register"
}
stop_runners() { local p; for p in "${runner_pids[@]}"; do stop_pid "$p" runner; done; runner_pids=(); }
runner_pid_list() { local i out=""; for ((i = 0; i < ${#runner_pids[@]}; i++)); do out+="runner$i=${runner_pids[$i]},"; done; echo "$out"; }

driver() { # case, env...
  env GW_DIR="$GW_DIR" RB_DATABASE_URL="$DB_URL" RB_QUEUE_URL="$QURL" RB_ADMIN_TOKEN="$ADMIN" RB_CLIENT_TOKEN="$CLIENT" \
    RB_CLK_TCK="$(getconf CLK_TCK)" "${@:2}" timeout 400 node "$HERE/driver.mjs" "$1" | tee -a "$OUT/raw.txt" | grep '^RESULT'
}
: >"$OUT/raw.txt"
results=()

warmup_n() { if [[ $1 == sleep ]]; then echo $((WARMUP / 5)); else echo "$WARMUP"; fi; }
fleet_case() { # label queue kind n runner-args...
  local label=$1 q=$2 kind=$3 n=$4; shift 4
  wait_for_quiet
  start_runners "$q" "$@"
  local line
  if ((WARMUP > 0)); then # a discarded round first: what is measured is the runners' steady state, not their JIT
    driver fleet-drain RB_QUEUE="$q" RB_KIND="$kind" RB_N="$(warmup_n "$kind")" >/dev/null
  fi
  line=$(driver fleet-drain RB_QUEUE="$q" RB_KIND="$kind" RB_N="$n" \
    RB_PIDS="$(runner_pid_list)queue=$QUEUE_PID,session=$SESSION_PID,telemetry=$TELEMETRY_PID")
  say "  $label: $line"
  mark_if_busy "$label"
  results+=("$label|$line")
  if [[ $kind == noop && $label == "fleet noop" ]]; then
    local wake
    wake=$(driver fleet-wake RB_QUEUE="$q")
    say "  fleet wake: $wake"
    results+=("fleet wake|$wake")
  fi
  stop_runners
}
graphile_case() { # label mode kind n
  wait_for_quiet
  local log=$OUT/graphile-$2-$3.log
  GW_DIR="$GW_DIR" GW_DATABASE_URL="$DB_URL" GW_MODE=$2 GW_CONCURRENCY=$((RUNNERS * CONC)) GW_LOCAL_QUEUE=$GW_LOCAL_QUEUE \
    node "$HERE/graphile-worker.mjs" >"$log" 2>&1 </dev/null &
  local gw=$!
  extra_pids+=($gw)
  local i
  for ((i = 0; i < 300; i++)); do grep -q READY "$log" && break; kill -0 $gw || die "graphile worker died: $(tail "$log")"; sleep 0.1; done
  sleep 1
  local line
  if ((WARMUP > 0)); then
    driver graphile-drain RB_KIND="$3" RB_N="$(warmup_n "$3")" >/dev/null
  fi
  line=$(driver graphile-drain RB_KIND="$3" RB_N="$4" RB_PIDS="node=$gw")
  say "  $1: $line"
  mark_if_busy "$1"
  results+=("$1|$line")
  stop_pid $gw graphile
}

say "cases: $N no-op jobs, $SLEEP_N sleep-10ms jobs; $RUNNERS runners x $CONC slots; Graphile concurrency $((RUNNERS * CONC))"
CASES=,${RB_CASES:-fleet-noop,fleet-ahead,fleet-sleep,graphile},
wanted() { [[ $CASES == *",$1,"* ]]; }
if wanted fleet-noop; then fleet_case "fleet noop" noop1 noop "$N"; fi
if wanted fleet-ahead; then fleet_case "fleet noop, --claim-ahead $CONC (fixed)" noop2 noop "$N" --claim-ahead "$CONC"; fi
if wanted fleet-sleep; then fleet_case "fleet sleep 10 ms" sleep1 sleep "$SLEEP_N"; fi
if wanted graphile; then
  graphile_case "graphile noop, defaults" defaults noop "$N"
  graphile_case "graphile noop, batched" batched noop "$N"
  graphile_case "graphile sleep 10 ms, defaults" defaults sleep "$SLEEP_N"
  graphile_case "graphile sleep 10 ms, batched" batched sleep "$SLEEP_N"
fi

# ---- table ---------------------------------------------------------------------------------------
slots=$((RUNNERS * CONC))
{
  echo "| case | jobs/s | slot efficiency | CPU seconds in the window |"
  echo "| --- | ---: | ---: | --- |"
  for r in "${results[@]}"; do
    label=${r%%|*}; line=${r#*|}
    if [[ $label == "fleet wake" ]]; then
      echo "| $label | p50 $(kv "$line" p50_ms) ms · p99 $(kv "$line" p99_ms) ms · max $(kv "$line" max_ms) ms | | $(kv "$line" n) samples, enqueue → claim |"
      continue
    fi
    jps=$(kv "$line" jobs_per_s)
    eff=""; [[ $label == *sleep* ]] && eff=$(awk -v j="$jps" -v s="$slots" 'BEGIN{printf "%.0f %%", 100 * j / (s / 0.010)}')
    cpu=$(grep -o 'cpu_[a-z0-9]*=[0-9.]*s' <<<"$line" | sed 's/cpu_//; s/=/ /' | paste -sd ',' | sed 's/,/, /g')
    echo "| $label | $jps | $eff | $cpu (window $(kv "$line" window_s) s) |"
  done
  ((${#skewed[@]} == 0)) || printf "\nSkewed (a Maven build or another benchmark ran during them): %s\n" "${skewed[*]}"
} | tee "$RESULTS"
say "table saved to ${RESULTS#"$ROOT"/}; raw lines in ${OUT#"$ROOT"/}/raw.txt"
