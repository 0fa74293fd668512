#!/usr/bin/env bash
# Startup and memory benchmark of the Fleet services in JVM mode, without and with the JDK's AOT
# cache (JEP 483/514). Per service: time from process start to the first 200 from /q/health/ready,
# and resident memory (VmRSS) right after ready and ~5 s later; median of N runs per mode.
# Prints a Markdown table on stdout; progress, notes and warnings go to stderr.
#
# Usage: bench/startup.sh [-n RUNS] [SERVICE ...]      (default: 3 runs, all five services)
#
# Needs the packaged jars (<service>/target/quarkus-app/quarkus-run.jar; build with ./mvnw package)
# and a PostgreSQL that the role fleet/fleet reaches over TCP. The AOT columns need JAVA_HOME at a
# JDK 24 or newer (JDK 25+: one-step -XX:AOTCacheOutput; JDK 24: -XX:AOTMode=record + create).
#
# Environment:
#   JAVA_HOME         JDK to run the services with (default: the java on PATH)
#   FLEET_JAVA_OPTS   JVM options for both modes (default: -XX:+UseSerialGC -Xmx512m, as the local stack)
#   FLEET_DB_HOST / FLEET_DB_PORT / FLEET_DB_USER / FLEET_DB_PASSWORD   (default 127.0.0.1 / 5432 / fleet / fleet)
#   FLEET_BENCH_DB    database to use (default fleet_bench; created if missing)
#   FLEET_BENCH_BASE_PORT  first port (default 18180: gateway 18180, queue 18181, ... telemetry 18184)
#   FLEET_BENCH_BUILD_WAIT seconds to wait for a running Maven build to end before a run (default 900)
#
# On 2 cores a Maven build or another benchmark running beside it skews every figure, and a build
# rewrites the jars under it: before each run it waits while a Maven build or another bench/*/run.sh
# runs, repeats a run during which one started, and starts a service over (training included) if
# its target/quarkus-app changed during its runs. Each service first gets a fresh schema: every
# schema of role fleet in the bench database (one named *bench*) is dropped before its training run.
#
# Every process it starts is stopped by PID (SIGTERM, SIGKILL after 15 s), also on Ctrl-C or error.
# The AOT training run gets longer after SIGTERM (FLEET_BENCH_AOT_DUMP_TIMEOUT, default 180 s),
# because on exit the JVM writes the cache, which takes a while.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/.out
ALL_SERVICES=(gateway-service queue-service session-service scaler-service telemetry-service)

READY_TIMEOUT_S=60
STOP_GRACE_S=15
AOT_DUMP_TIMEOUT_S=${FLEET_BENCH_AOT_DUMP_TIMEOUT:-180}
RSS_DELAY_S=5
BASE_PORT=${FLEET_BENCH_BASE_PORT:-18180}
BUILD_WAIT_S=${FLEET_BENCH_BUILD_WAIT:-900}

export FLEET_DB_HOST=${FLEET_DB_HOST:-127.0.0.1}
export FLEET_DB_PORT=${FLEET_DB_PORT:-5432}
export FLEET_DB_USER=${FLEET_DB_USER:-fleet}
export FLEET_DB_PASSWORD=${FLEET_DB_PASSWORD:-fleet}
export FLEET_DB_NAME=${FLEET_BENCH_DB:-fleet_bench}

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
usage() {
  say "usage: bench/startup.sh [-n RUNS] [SERVICE ...]"
  say "  services: ${ALL_SERVICES[*]} (default: all)"
  exit "${1:-2}"
}

# ---- arguments -------------------------------------------------------------------------------
runs=3
while getopts ':n:h' opt; do
  case $opt in
    n) runs=$OPTARG ;;
    h) usage 0 ;;
    :) say "option -$OPTARG needs a value"; usage ;;
    *) say "unknown option -$OPTARG"; usage ;;
  esac
done
shift $((OPTIND - 1))
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive whole number, not '$runs'"

services=("$@")
(( ${#services[@]} )) || services=("${ALL_SERVICES[@]}")

port_of() {
  local i
  for i in "${!ALL_SERVICES[@]}"; do
    [[ ${ALL_SERVICES[$i]} == "$1" ]] && { echo $((BASE_PORT + i)); return 0; }
  done
  return 1
}
for service in "${services[@]}"; do
  port_of "$service" >/dev/null || die "unknown service '$service' (known: ${ALL_SERVICES[*]})"
  [[ -f $ROOT/$service/target/quarkus-app/quarkus-run.jar ]] \
    || die "$service/target/quarkus-app/quarkus-run.jar is missing; build first (./mvnw package -DskipTests)"
done

# ---- JDK -------------------------------------------------------------------------------------
if [[ -n ${JAVA_HOME:-} ]]; then
  JAVA=$JAVA_HOME/bin/java
else
  JAVA=$(command -v java || true)
fi
[[ -n $JAVA && -x $JAVA ]] || die "no java: set JAVA_HOME to a JDK (24+ for the AOT columns)"
java_major=$("$JAVA" -XshowSettings:properties -version 2>&1 \
  | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1)
java_version=$("$JAVA" -version 2>&1 | head -n 1)
[[ $java_major =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA"
if (( java_major >= 25 )); then
  aot=onestep
elif (( java_major == 24 )); then
  aot=twostep
else
  aot=none
fi
# For testing the JDK 24 path on a newer JDK: FLEET_BENCH_AOT_WORKFLOW=twostep.
if [[ $aot != none && -n ${FLEET_BENCH_AOT_WORKFLOW:-} ]]; then
  aot=$FLEET_BENCH_AOT_WORKFLOW
  [[ $aot == onestep || $aot == twostep ]] || die "FLEET_BENCH_AOT_WORKFLOW is onestep or twostep"
fi

read -r -a java_opts <<<"${FLEET_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}"

command -v curl >/dev/null || die "curl is needed"
command -v psql >/dev/null || die "psql is needed (to check/create database $FLEET_DB_NAME)"

# ---- process bookkeeping ---------------------------------------------------------------------
current_pid=""   # the one JVM running now (services are measured one at a time)
current_grace=$STOP_GRACE_S   # its grace after SIGTERM (longer for an AOT training run)

# Stops process $1 (our child): SIGTERM, then SIGKILL after $2 seconds (default 15). Reaps it.
stop_pid() {
  local pid=$1 grace=${2:-$STOP_GRACE_S} waited=0
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && (( waited < grace * 10 )); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "  pid $pid still runs ${grace} s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $current_pid ]]; then
    say "stopping pid $current_pid ..."
    stop_pid "$current_pid" "$current_grace"
    current_pid=""
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---- database --------------------------------------------------------------------------------
db_ok() {
  PGPASSWORD=$FLEET_DB_PASSWORD psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U "$FLEET_DB_USER" \
    -d "$FLEET_DB_NAME" -Atqc 'select 1' >/dev/null 2>&1 </dev/null
}
if ! db_ok; then
  say "creating database $FLEET_DB_NAME (owner $FLEET_DB_USER) ..."
  psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "create database \"$FLEET_DB_NAME\" owner \"$FLEET_DB_USER\"" </dev/null \
    || die "cannot create database $FLEET_DB_NAME; create it by hand (owner $FLEET_DB_USER)"
  db_ok || die "role $FLEET_DB_USER cannot connect to $FLEET_DB_NAME at $FLEET_DB_HOST:$FLEET_DB_PORT"
fi

# Drops the schemas the bench role owns in the bench database (not public), so each service
# migrates from scratch in its unmeasured first run: a schema left by an earlier build whose
# migrations have since changed would fail Flyway's validation. Only in a database named *bench*.
reset_schemas() {
  if [[ $FLEET_DB_NAME != *bench* ]]; then
    say "  note: not resetting schemas in '$FLEET_DB_NAME' (only in a database named *bench*)"
    return 0
  fi
  PGPASSWORD=$FLEET_DB_PASSWORD PGOPTIONS='-c client_min_messages=warning' \
    psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U "$FLEET_DB_USER" \
    -d "$FLEET_DB_NAME" -v ON_ERROR_STOP=1 -Atq >/dev/null <<'SQL' \
    || die "cannot reset the schemas in $FLEET_DB_NAME"
SELECT format('DROP SCHEMA %I CASCADE', nspname) FROM pg_namespace
 WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
   AND nspname <> 'public' AND nspname NOT LIKE 'pg\_%' \gexec
SQL
}

# A random admin token: the services need one configured, nothing here uses it.
FLEET_AUTH_ADMIN_TOKENS=bench-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
export FLEET_AUTH_ADMIN_TOKENS

mkdir -p "$OUT/logs"

# ---- one run ---------------------------------------------------------------------------------
# Starts $service on $port with JVM options "$@" (besides java_opts), logging to $log.
# Sets current_pid and started_ns.
launch() {
  local service=$1 port=$2 log=$3
  shift 3
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port (for $service) is already taken; set FLEET_BENCH_BASE_PORT"
  fi
  started_ns=$(date +%s%N)
  "$JAVA" "${java_opts[@]}" "$@" -Dquarkus.http.port="$port" \
    -jar "$ROOT/$service/target/quarkus-app/quarkus-run.jar" >"$log" 2>&1 </dev/null &
  current_pid=$!
}

log_tail() {
  if [[ -s $1 ]]; then tail -n 40 "$1" >&2 || true; else say "  (the log is empty)"; fi
}

# Polls /q/health/ready every ~10 ms until 200; sets ready_ms. Fails (with the log's tail) if the
# process exits or is not ready within READY_TIMEOUT_S.
await_ready() {
  local service=$1 port=$2 log=$3 now
  local deadline=$((started_ns + READY_TIMEOUT_S * 1000000000))
  while :; do
    if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/q/health/ready" 2>/dev/null; then
      now=$(date +%s%N)
      ready_ms=$(( (now - started_ns) / 1000000 ))
      return 0
    fi
    if ! kill -0 "$current_pid" 2>/dev/null; then
      local rc=0
      wait "$current_pid" || rc=$?
      current_pid=""
      say "FAILED: $service exited (status $rc) before it was ready; the end of $log:"
      log_tail "$log"
      exit 1
    fi
    if (( $(date +%s%N) > deadline )); then
      say "FAILED: $service not ready within ${READY_TIMEOUT_S} s; the end of $log:"
      log_tail "$log"
      exit 1
    fi
    sleep 0.01
  done
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# ---- guard against builds and other benchmarks ----------------------------------------------
# A Maven build, or another benchmark under bench/ (bench/queue/run.sh recreates the database
# fleet_bench), skews the figures or pulls the database away: runs wait while one is running.
build_running() {
  pgrep -f org.codehaus.plexus.classworlds >/dev/null 2>&1 \
    || pgrep -f '^([^ ]*/)?(ba)?sh ([^ ]*/)?bench/[A-Za-z0-9_-]+/run\.sh( |$)' >/dev/null 2>&1
}

# Waits while a build or another benchmark runs (then for 10 s without one), at most BUILD_WAIT_S.
wait_for_quiet() {
  local waited=0 quiet=0
  build_running || return 0
  say "  a Maven build or another bench/ benchmark is running: waiting for it to end (up to ${BUILD_WAIT_S} s) ..."
  while (( quiet < 10 )); do
    if (( waited >= BUILD_WAIT_S )); then
      say "  WARNING: still running after ${BUILD_WAIT_S} s; measuring anyway (figures are skewed)"
      return 0
    fi
    if build_running; then quiet=0; else quiet=$((quiet + 1)); fi
    sleep 1
    waited=$((waited + 1))
  done
}

app_fingerprint() {
  find "$ROOT/$1/target/quarkus-app" -type f -printf '%P %s %T@\n' | sort | md5sum | cut -d' ' -f1
}

# Sets app_changed=true if $service's packaged app changed since $fingerprint was taken.
check_unchanged() {
  [[ $(app_fingerprint "$1") == "$fingerprint" ]] || app_changed=true
}

# measure, after waiting for a running build to end; a run during which a build started is
# discarded and repeated (up to 3 times). Does nothing, with app_changed=true, if the app was rebuilt.
measure_quiet() {
  local service=$1 attempt
  for attempt in 1 2 3; do
    wait_for_quiet
    check_unchanged "$service"
    [[ $app_changed == false ]] || return 0
    measure "$@"
    check_unchanged "$service"
    [[ $app_changed == false ]] || return 0
    build_running || return 0
    (( attempt == 3 )) || say "  a build or another benchmark started during this run: discarded, repeating"
  done
  say "  WARNING: a build or another benchmark ran during every attempt; keeping the last (figures are skewed)"
}

# Measures one start of $service: sets ready_ms, rss_ready_kb, rss_later_kb.
measure() {
  local service=$1 port=$2 log=$3
  shift 3
  launch "$service" "$port" "$log" "$@"
  await_ready "$service" "$port" "$log"
  rss_ready_kb=$(rss_kb "$current_pid")
  sleep "$RSS_DELAY_S"
  if ! kill -0 "$current_pid" 2>/dev/null; then
    say "FAILED: $service exited within ${RSS_DELAY_S} s of being ready; the end of $log:"
    log_tail "$log"
    exit 1
  fi
  rss_later_kb=$(rss_kb "$current_pid")
  stop_pid "$current_pid"
  current_pid=""
}

# Training run for the AOT cache $cache of $service: start, ready, some traffic, SIGTERM; the JVM
# writes the cache on exit (JDK 25+), or a second JVM creates it from the recorded configuration
# (JDK 24 workflow).
train() {
  local service=$1 port=$2 cache=$3 log=$4 i
  rm -f "$cache" "$cache.conf" "$cache.config"
  if [[ $aot == onestep ]]; then
    launch "$service" "$port" "$log" -XX:AOTCacheOutput="$cache"
  else
    launch "$service" "$port" "$log" -XX:AOTMode=record -XX:AOTConfiguration="$cache.conf"
  fi
  current_grace=$AOT_DUMP_TIMEOUT_S
  await_ready "$service" "$port" "$log"
  for i in 1 2 3 4 5; do
    curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$port/q/health/ready" || true
    curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$port/q/health/live" || true
    curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:$port/q/metrics" || true
    sleep 0.2
  done
  local stop_start=$SECONDS
  stop_pid "$current_pid" "$AOT_DUMP_TIMEOUT_S"
  current_pid=""
  current_grace=$STOP_GRACE_S
  if [[ $aot == twostep ]]; then
    [[ -s $cache.conf ]] || { say "FAILED: no AOT configuration written for $service; the end of $log:"; log_tail "$log"; exit 1; }
    "$JAVA" "${java_opts[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$cache.conf" -XX:AOTCache="$cache" \
      -jar "$ROOT/$service/target/quarkus-app/quarkus-run.jar" >>"$log" 2>&1 </dev/null &
    current_pid=$!
    local rc=0
    wait "$current_pid" || rc=$?
    current_pid=""
    (( rc == 0 )) || { say "FAILED: creating the AOT cache for $service (exit $rc); the end of $log:"; log_tail "$log"; exit 1; }
    rm -f "$cache.conf"
  fi
  if [[ ! -s $cache ]]; then
    say "FAILED: no AOT cache written for $service; the end of $log:"
    log_tail "$log"
    exit 1
  fi
  say "  trained: $(du -h "$cache" | cut -f1) cache, $((SECONDS - stop_start)) s from SIGTERM to cache written"
}

# JVM warnings about the AOT cache (rejected, mismatched, classes skipped), counted per kind.
aot_warnings() {
  grep -hE '\[(warning|error)\]\[(aot|cds)' "$@" 2>/dev/null \
    | sed -E 's/^\[[^]]*\]//; s/(Skipping )[^:]*:/\1<class>:/' | sort | uniq -c | sort -rn | head -n 8 || true
}

median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }

# ---- main ------------------------------------------------------------------------------------
say "Fleet startup benchmark: ${services[*]}"
say "  runs per mode: $runs; JVM options: ${java_opts[*]}; JDK: $java_version ($JAVA)"
say "  database: $FLEET_DB_HOST:$FLEET_DB_PORT/$FLEET_DB_NAME; logs: $OUT/logs"
[[ $aot == none ]] && say "  note: JDK $java_major has no AOT cache (needs JDK 24+): AOT columns skipped"

declare -A row
notes=()
for service in "${services[@]}"; do
  port=$(port_of "$service")
  cache=$OUT/$service.aot
  say "== $service (port $port)"
  # A build that rewrites this service's jars during its runs starts the service over (training
  # included, since the AOT cache belongs to the jars it was trained on).
  for attempt in 1 2 3 4 5; do
    app_changed=false
    rm -f "$OUT/logs/$service"-*.log
    wait_for_quiet
    fingerprint=$(app_fingerprint "$service")
    reset_schemas
    if [[ $aot != none ]]; then
      say "  AOT training run ($aot) -> ${cache#"$ROOT"/}"
      train "$service" "$port" "$cache" "$OUT/logs/$service-train.log"
    else
      # Warm-up (Flyway migration on a fresh database, page cache), not measured.
      say "  warm-up run"
      measure_quiet "$service" "$port" "$OUT/logs/$service-warmup.log"
    fi
    jvm_t=(); jvm_r=(); jvm_r5=(); aot_t=(); aot_r=(); aot_r5=()
    for ((i = 1; i <= runs; i++)); do
      # Modes alternate run by run, so drift on the machine affects both alike.
      measure_quiet "$service" "$port" "$OUT/logs/$service-jvm-$i.log"
      [[ $app_changed == false ]] || break
      jvm_t+=("$ready_ms"); jvm_r+=("$rss_ready_kb"); jvm_r5+=("$rss_later_kb")
      say "  run $i JVM: ready ${ready_ms} ms, RSS $(mb "$rss_ready_kb") MB, +${RSS_DELAY_S} s $(mb "$rss_later_kb") MB"
      if [[ $aot != none ]]; then
        measure_quiet "$service" "$port" "$OUT/logs/$service-aot-$i.log" -XX:AOTCache="$cache"
        [[ $app_changed == false ]] || break
        aot_t+=("$ready_ms"); aot_r+=("$rss_ready_kb"); aot_r5+=("$rss_later_kb")
        say "  run $i AOT: ready ${ready_ms} ms, RSS $(mb "$rss_ready_kb") MB, +${RSS_DELAY_S} s $(mb "$rss_later_kb") MB"
      fi
    done
    [[ $app_changed == true ]] || break
    say "  $service/target/quarkus-app was rebuilt during its runs: starting $service over"
  done
  [[ $app_changed == false ]] || die "$service was rebuilt during each of 5 attempts; rerun when no build runs"

  row[$service]="$(median "${jvm_t[@]}") | $(mb "$(median "${jvm_r[@]}")") / $(mb "$(median "${jvm_r5[@]}")")"
  if [[ $aot != none ]]; then
    row[$service]+=" | $(median "${aot_t[@]}") | $(mb "$(median "${aot_r[@]}")") / $(mb "$(median "${aot_r5[@]}")")"
    warn=$(aot_warnings "$OUT/logs/$service-train.log")
    [[ -z $warn ]] || notes+=("$service, AOT training run (${cache#"$ROOT"/}):" "$warn")
    warn=$(aot_warnings "$OUT"/logs/"$service"-aot-*.log)
    [[ -z $warn ]] || notes+=("$service, runs with -XX:AOTCache:" "$warn")
  fi
done

echo
echo "Medians of $runs runs per mode; RSS as \"right after ready / ${RSS_DELAY_S} s later\"."
echo "JDK: $java_version; JVM options: ${java_opts[*]}"
echo
if [[ $aot != none ]]; then
  echo "| service | JVM start→ready ms | RSS MB | AOT start→ready ms | AOT RSS MB |"
  echo "| --- | ---: | ---: | ---: | ---: |"
else
  echo "| service | JVM start→ready ms | RSS MB |"
  echo "| --- | ---: | ---: |"
fi
for service in "${services[@]}"; do
  echo "| $service | ${row[$service]} |"
done
if [[ $aot == none ]]; then
  echo
  echo "AOT columns skipped: $JAVA is JDK $java_major; the AOT cache needs JDK 24 or newer (JAVA_HOME)."
fi
if (( ${#notes[@]} )); then
  say ""
  say "JVM warnings about the AOT cache (count, message):"
  printf '%s\n' "${notes[@]}" >&2
fi
