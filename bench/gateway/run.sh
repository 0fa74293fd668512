#!/usr/bin/env bash
# gateway-service benchmark: what the gateway costs as a reverse proxy, beside nginx, in one run.
#
#   upstreams   one nginx (its own temporary config, 1 worker, `return 200 "ok\n"`, no access log)
#               listening on two 127.0.0.1 ports: the two upstreams every proxy below shares.
#   direct      wrk against the first upstream itself: the floor.
#   nginx       an nginx reverse proxy (own temporary prefix, config, pid and logs; 2 workers),
#               `upstream { least_conn; server up1; server up2; keepalive 64; }`, HTTP/1.1 to the
#               upstreams with keep-alive (`proxy_http_version 1.1; proxy_set_header Connection "";`).
#   gateway     gateway-service (the packaged fast-jar, copied to bench/.out/gateway-app first), one
#               pool `bench` with the same two upstreams declared in configuration (app and deep
#               health layers off: the upstreams are plain nginx), one route `/` → that pool with
#               the default algorithm (dynamic weighted least-connections).
#   Each target is loaded with wrk three times: `-t2 -c64`, `-t1 -c8` (the light load of the latency
#   target) and `-t1 -c1` (one request at a time: no queue anywhere), GWB_DURATION each,
#   same order every time (direct, nginx, gateway); before them the gateway's JIT is warmed by a
#   discarded run (GWB_WARMUP at -t2 -c64). Latency percentiles come from wrk itself (a `done`
#   hook, bench/gateway/report.lua, prints them in µs). Beside each run: the CPU each process group
#   used (from /proc) and how busy the machine was.
#   jmh         then, with every server stopped, JMH (bench/gateway/jmh): LeastConnections.pick and
#               Pool.acquire+release on a pool of 100 instances with varied weights and in-flight
#               counts, in ns/op.
#
# Usage: bench/gateway/run.sh [--quick]
#        bench/gateway/run.sh routing [--quick]   the routing cases instead (bench/gateway/routing.sh:
#                 a slow instance, a delay that comes and goes, uniform pools; beside nginx and HAProxy)
#   The full run takes about 4 minutes on the 2-core reference machine (plus builds, if any).
#   --quick  smoke run: 3 s per wrk run, 3 s warm-up, shorter JMH (about 1.5 minutes).
#
# Environment (defaults, quick defaults in brackets):
#   JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64; else any JDK 21+]
#   GWB_BASE_PORT [18480]  nginx proxy on it, upstreams +1 and +2, gateway listener +3, its admin port +4
#   GWB_DURATION [10s|3s]  each measured wrk run     GWB_WARMUP [20s|5s]  the gateway's warm-up run
#   GWB_LOADS ["2x64 1x8 1x1"]  wrk threads x connections, in this order
#   GWB_TARGETS ["direct nginx gateway"]  which targets to measure (the gateway is only started if named)
#   GWB_JAVA_OPTS [-Xmx512m]  JVM options of the gateway (default GC)
#   GWB_GATEWAY_OPTS  extra -D settings for the gateway
#   GWB_JMH [1]  0 skips JMH     GWB_JMH_ARGS [-f1 -wi 2 -i 3 -w 1s -r 1s | -f1 -wi 1 -i 2 -w 1s -r 1s]
#   GWB_BUILD=1  build first (`./mvnw -B -q install -DskipTests -pl gateway-service -am`); default:
#                only if the jar or the classes are missing. The JMH project is built every run.
#   GWB_BUILD_WAIT_S [600]  how long to wait for a running Maven build, bin/test or another benchmark
#
# Needs: wrk and nginx (installed with `apt-get install -y wrk nginx-light` when missing and run as
# root; the script says so), curl, and PostgreSQL at 127.0.0.1:5432 with the database `fleet` (the
# gateway's NOTIFY listener; created like deploy/local does if missing). Everything it starts is
# stopped by PID on any exit; its temporary directory is removed, nginx's error logs are kept in
# bench/.out/. Results: the table on stdout and in bench/.out/gateway-results.md, raw wrk and JMH
# output in bench/.out/gateway-raw.txt, the gateway's log in bench/.out/gateway-service.log.
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/gateway
if [[ ${1:-} == routing ]]; then
  shift
  exec "$HERE/routing.sh" "$@"
fi
OUT=$ROOT/bench/.out
RESULTS=$OUT/gateway-results.md
RAW=$OUT/gateway-raw.txt
SVC_LOG=$OUT/gateway-service.log
APP=$OUT/gateway-app

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"

BASE_PORT=${GWB_BASE_PORT:-18480}
PROXY_PORT=$BASE_PORT
UP1_PORT=$((BASE_PORT + 1))
UP2_PORT=$((BASE_PORT + 2))
GW_PORT=$((BASE_PORT + 3))
GW_ADMIN_PORT=$((BASE_PORT + 4))
DURATION=${GWB_DURATION:-$(q 10s 3s)}
WARMUP=${GWB_WARMUP:-$(q 20s 5s)}
TARGETS=${GWB_TARGETS:-direct nginx gateway}
JAVA_OPTS=${GWB_JAVA_OPTS:--Xmx512m}
GATEWAY_OPTS=${GWB_GATEWAY_OPTS:-}
RUN_JMH=${GWB_JMH:-1}
JMH_ARGS=${GWB_JMH_ARGS:-$(q "-f1 -wi 2 -i 3 -w 1s -r 1s" "-f1 -wi 1 -i 2 -w 1s -r 1s")}
BUILD=${GWB_BUILD:-0}
BUILD_WAIT_S=${GWB_BUILD_WAIT_S:-600}
READY_TIMEOUT_S=90
CLK_TCK=$(getconf CLK_TCK)
# wrk threads x connections: high load, the light load of the latency target, and one connection
# (no queueing anywhere: what a proxy adds to one request's time)
read -r -a LOADS <<<"${GWB_LOADS:-2x64 1x8 1x1}"
for load in "${LOADS[@]}"; do [[ $load =~ ^[0-9]+x[0-9]+$ ]] || { echo "GWB_LOADS: THREADSxCONNECTIONS, not $load" >&2; exit 2; }; done

# lib.sh: a Maven build, a whole bin/test or .ci/run (their deploy/local/test-stack runs five
# services without Maven) or another benchmark beside this one skews every figure on 2 cores.
BENCH_OTHERS='bench/(startup\.sh|queue/run\.sh|session/run\.sh|scaler/run\.sh)'
BUILD_PATTERN='org\.codehaus\.plexus\.classworlds|/bin/test( |$)|\.ci/run|deploy/local/test-stack'
trap 'say "error: line $LINENO failed: $BASH_COMMAND"' ERR

want() { [[ " $TARGETS " == *" $1 "* ]]; }
for t in $TARGETS; do [[ $t == direct || $t == nginx || $t == gateway ]] || die "unknown target in GWB_TARGETS: $t"; done
[[ $DURATION =~ ^[0-9]+s$ && $WARMUP =~ ^[0-9]+s$ ]] || die "GWB_DURATION and GWB_WARMUP are whole seconds, like 10s"
[[ :$PATH: == *:/usr/sbin:* ]] || PATH=$PATH:/usr/sbin
need_commands wrk:wrk nginx:nginx-light curl:curl
mkdir -p "$OUT"

# ---- processes: two nginx (upstreams, proxy) and the gateway (lib.sh's svc_pid) ----------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleet-gwbench.XXXXXX")
up_pid="" proxy_pid=""
declare -A workers   # master pid → its worker pids, as seen after start
# stop_nginx PID NAME: stops the master (SIGTERM: fast shutdown), then any of its workers still alive.
stop_nginx() {
  local master=$1 w
  [[ -n $master ]] || return 0
  stop_pid "$master" "$2"
  for w in ${workers[$master]:-}; do
    [[ $(cat "/proc/$w/cmdline" 2>/dev/null | tr '\0' ' ') == "nginx: worker process"* ]] || continue
    say "$2 worker $w outlived its master: SIGKILL"
    kill -KILL "$w" 2>/dev/null || true
  done
}
bench_on_exit() {
  stop_nginx "$proxy_pid" "nginx proxy"; proxy_pid=""
  stop_nginx "$up_pid" "nginx upstreams"; up_pid=""
  cp "$TMP"/*-error.log "$OUT"/ 2>/dev/null || true
  rm -rf "$TMP"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$UP1_PORT" "$UP2_PORT" $(want nginx && echo "$PROXY_PORT") $(want gateway && echo "$GW_PORT $GW_ADMIN_PORT"); do
  ! port_in_use "$port" || die "port $port on 127.0.0.1 is taken (set GWB_BASE_PORT)"
done

# nginx_conf NAME WORKERS BODY: writes $TMP/NAME.conf with the shared preamble.
nginx_conf() {
  local temp=""
  # every *_temp_path inside TMP (only those of modules this nginx has; nginx-light lacks some)
  for m in fastcgi uwsgi scgi; do
    nginx -V 2>&1 | grep -q -- "--without-http_${m}_module" || temp+="  ${m}_temp_path $TMP/$1-$m;"$'\n'
  done
  cat >"$TMP/$1.conf" <<EOF
worker_processes $2;
daemon off;
pid $TMP/$1.pid;
error_log $TMP/$1-error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $TMP/$1-body;
  proxy_temp_path $TMP/$1-proxy;
$temp$3
}
EOF
}
# start_nginx NAME URL...: starts nginx on $TMP/NAME.conf; waits until every URL answers 200 "ok".
start_nginx() {
  local name=$1 pid i url
  shift
  nginx -p "$TMP/" -e "$TMP/$name-error.log" -c "$TMP/$name.conf" -t -q 2>"$TMP/$name-test.log" \
    || { cat "$TMP/$name-test.log" >&2; die "nginx rejects $TMP/$name.conf"; }
  nginx -p "$TMP/" -e "$TMP/$name-error.log" -c "$TMP/$name.conf" </dev/null >"$TMP/$name-stdout.log" 2>&1 &
  pid=$!
  for url in "$@"; do
    for ((i = 0; ; i++)); do
      [[ $(curl -s --max-time 2 "$url" 2>/dev/null) == ok ]] && break
      kill -0 "$pid" 2>/dev/null || { cat "$TMP/$name-error.log" "$TMP/$name-stdout.log" >&2 2>/dev/null; die "nginx $name exited"; }
      (( i < 100 )) || die "nginx $name: $url does not answer \"ok\" in 10 s"
      sleep 0.1
    done
  done
  workers[$pid]=$(pgrep -P "$pid" | tr '\n' ' ')
  say "nginx $name ready (pid $pid, workers ${workers[$pid]})"
  started_pid=$pid
}

# ---- builds --------------------------------------------------------------------------------------
if want gateway || (( RUN_JMH )); then
  if (( BUILD )) || [[ ! -f $ROOT/gateway-service/target/quarkus-app/quarkus-run.jar || ! -d $ROOT/gateway-service/target/classes/dev ]]; then
    say "building gateway-service (./mvnw -B -q install -DskipTests -pl gateway-service -am)"
    (cd "$ROOT" && ./mvnw -B -q install -DskipTests -pl gateway-service -am) >&2 || die "build failed"
  fi
fi
if (( RUN_JMH )); then
  say "building the JMH benchmarks (bench/gateway/jmh)"
  (cd "$HERE/jmh" && "$ROOT/mvnw" -B -q package) >&2 \
    || die "JMH build failed (is dev.fleet:gateway-service installed? GWB_BUILD=1 installs it)"
fi
if want gateway; then
  rm -rf "$APP"
  cp -r "$ROOT/gateway-service/target/quarkus-app" "$APP"
fi
: >"$RAW"

# ---- start ---------------------------------------------------------------------------------------
nginx_conf upstreams 1 "  server {
    listen 127.0.0.1:$UP1_PORT;
    listen 127.0.0.1:$UP2_PORT;
    location / { return 200 \"ok\\n\"; }
  }"
start_nginx upstreams "http://127.0.0.1:$UP1_PORT/" "http://127.0.0.1:$UP2_PORT/"
up_pid=$started_pid

if want nginx; then
  nginx_conf proxy 2 "  upstream fleet_bench {
    least_conn;
    server 127.0.0.1:$UP1_PORT;
    server 127.0.0.1:$UP2_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://fleet_bench;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"
  start_nginx proxy "http://127.0.0.1:$PROXY_PORT/"
  proxy_pid=$started_pid
fi

if want gateway; then
  fleet_ensure_database fleet
  say "starting gateway-service (listener 127.0.0.1:$GW_PORT, admin 127.0.0.1:$GW_ADMIN_PORT)"
  # shellcheck disable=SC2086  # JAVA_OPTS and GATEWAY_OPTS are lists of options
  (cd "$OUT" && exec "$JAVA" $JAVA_OPTS \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$GW_ADMIN_PORT" \
    -Dquarkus.datasource.reactive.max-size=2 \
    -Dfleet.gateway.listener.host=127.0.0.1 -Dfleet.gateway.listener.port="$GW_PORT" \
    -Dfleet.gateway.pools.bench.upstreams="http://127.0.0.1:$UP1_PORT,http://127.0.0.1:$UP2_PORT" \
    -Dfleet.gateway.pools.bench.health.app-enabled=false \
    -Dfleet.gateway.pools.bench.health.deep-enabled=false \
    -Dfleet.gateway.routes.all.pool=bench \
    $GATEWAY_OPTS \
    -jar "$APP/quarkus-run.jar") </dev/null >"$SVC_LOG" 2>&1 &
  svc_pid=$!
  await_ready "http://127.0.0.1:$GW_ADMIN_PORT" gateway-service
  for ((i = 0; ; i++)); do
    body=$(curl -s --max-time 2 "http://127.0.0.1:$GW_PORT/" 2>/dev/null || true)
    [[ $body == ok ]] && break
    (( i < 100 )) || { tail -n 30 "$SVC_LOG" >&2; die "the gateway does not forward GET / to the upstreams in 20 s (last answer: ${body:0:300})"; }
    sleep 0.2
  done
  say "gateway forwards (pid $svc_pid)"
fi

# ---- measure -------------------------------------------------------------------------------------
declare -A res cpu threads_of
url_of() {
  case $1 in
    direct) echo "http://127.0.0.1:$UP1_PORT/" ;;
    nginx) echo "http://127.0.0.1:$PROXY_PORT/" ;;
    gateway) echo "http://127.0.0.1:$GW_PORT/" ;;
  esac
}
pids_of() {   # the processes of a target's proxy
  case $1 in
    direct) ;;
    nginx) echo "$proxy_pid ${workers[$proxy_pid]}" ;;
    gateway) echo "$svc_pid" ;;
  esac
}
pct() { awk -v t="$1" -v s="$2" -v hz="$CLK_TCK" 'BEGIN{ printf "%.0f", (s > 0 ? 100 * t / hz / s : 0) }'; }
# wrk_run TARGET THREADS CONNS DURATION [KEY]: one wrk run; with KEY, keeps its RESULT line in res[KEY]
# and what the processes used in cpu[KEY].
wrk_run() {
  local target=$1 threads=$2 conns=$3 dur=$4 key=${5:-} url out line secs
  local up0 px0 m0 up1 px1 m1 wrk_cpu
  url=$(url_of "$target")
  secs=${dur%s}
  [[ $target != gateway ]] || thread_ticks "$svc_pid" >"$TMP/threads-before"
  up0=$(cpu_ticks "$up_pid" ${workers[$up_pid]})
  # shellcheck disable=SC2046
  px0=$(cpu_ticks $(pids_of "$target"))
  m0=$(machine_ticks)
  local TIMEFORMAT='%U %S'
  out=$( { time timeout $((secs + 60)) wrk -t"$threads" -c"$conns" -d"$dur" --timeout 5s --latency \
           -s "$HERE/report.lua" "$url" 2>&1; } 2>"$TMP/wrk-time" ) || die "wrk failed against $target: $out"
  m1=$(machine_ticks)
  up1=$(cpu_ticks "$up_pid" ${workers[$up_pid]})
  # shellcheck disable=SC2046
  px1=$(cpu_ticks $(pids_of "$target"))
  wrk_cpu=$(awk '{printf "%.2f", $1 + $2}' "$TMP/wrk-time")
  if [[ $target == gateway && -n $key ]]; then
    # the gateway's threads: each Vert.x event loop on its own (by thread id: /proc keeps only 15
    # characters of a name, so "vert.x-eventloop-thread-N" loses its N), the others by name
    thread_ticks "$svc_pid" >"$TMP/threads-after"
    threads_of[$key]=$(awk -v hz="$CLK_TCK" -v s="$secs" '
      NR == FNR { before[$1] = $3; next }
      { name = $2; if (name ~ /^vert\.x-eventloo/) name = "event-loop-tid-" $1; else gsub(/#?[0-9]+$/, "", name); used[name] += $3 - before[$1] }
      END { for (n in used) if (used[n] > 0) printf "%s %.0f\n", n, 100 * used[n] / hz / s }' \
      "$TMP/threads-before" "$TMP/threads-after" | sort -k2,2nr | head -n 8 | awk '{printf "%s%s %s %%", (NR > 1 ? ", " : ""), $1, $2}')
  fi
  printf '### %s -t%s -c%s -d%s %s%s\n%s\n\n' "$target" "$threads" "$conns" "$dur" "$url" "${key:+ ($key)}" "$out" >>"$RAW"
  line=$(grep '^RESULT ' <<<"$out" | tail -n 1)
  [[ -n $line ]] || die "no RESULT line from wrk against $target: $out"
  [[ -n $key ]] || return 0
  res[$key]=$line
  read -r mb0 mt0 <<<"$m0"
  read -r mb1 mt1 <<<"$m1"
  cpu[$key]="$(pct $((px1 - px0)) "$secs") $(pct $((up1 - up0)) "$secs") $(awk -v c="$wrk_cpu" -v s="$secs" 'BEGIN{printf "%.0f", 100 * c / s}') $(awk -v b=$((mb1 - mb0)) -v t=$((mt1 - mt0)) 'BEGIN{printf "%.0f", (t > 0 ? 100 * b / t : 0)}')"
  local errs
  errs=$(( $(kv "$line" connect_errors) + $(kv "$line" read_errors) + $(kv "$line" write_errors) + $(kv "$line" status_errors) + $(kv "$line" timeouts) ))
  (( errs == 0 )) || say "WARNING: $target -c$conns: $errs errors or non-2xx/3xx answers ($line)"
  say "$target -t$threads -c$conns: $(rps "$line") req/s, p50 $(ms "$line" p50_us) ms, p99 $(ms "$line" p99_us) ms"
}
rps() { awk -v n="$(kv "$1" requests)" -v d="$(kv "$1" duration_us)" 'BEGIN{ printf "%.0f", (d > 0 ? n / (d / 1e6) : 0) }'; }
ms() { awk -v u="$(kv "$1" "$2")" 'BEGIN{ printf "%.3f", u / 1000 }'; }

wait_for_quiet
if want gateway; then
  say "warming the gateway up: wrk -t2 -c64 -d$WARMUP (discarded)"
  wrk_run gateway 2 64 "$WARMUP"
  sleep 1
fi
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
for load in "${LOADS[@]}"; do
  threads=${load%x*} conns=${load#*x}
  for target in direct nginx gateway; do
    want "$target" || continue
    wrk_run "$target" "$threads" "$conns" "$DURATION" "$target-c$conns"
    mark_if_busy "$target -c$conns"
    sleep 1
  done
done

# processes at rest, for the report; then stop every server before JMH
gw_rss=""
[[ -z $svc_pid ]] || gw_rss=$(awk '/VmRSS/{printf "%.0f MB", $2/1024}' "/proc/$svc_pid/status" 2>/dev/null || true)
stop_service
bench_on_exit

jmh_table=""
if (( RUN_JMH )); then
  wait_for_quiet
  say "JMH: $JMH_ARGS"
  CP="$HERE/jmh/target/classes:$ROOT/gateway-service/target/classes:$(cat "$HERE/jmh/target/classpath.txt")"
  # shellcheck disable=SC2086
  timeout 900 "$JAVA" -cp "$CP" org.openjdk.jmh.Main $JMH_ARGS -rf csv -rff "$OUT/gateway-jmh.csv" PickBench \
    >"$OUT/gateway-jmh.txt" 2>&1 || { tail -n 40 "$OUT/gateway-jmh.txt" >&2; die "JMH failed"; }
  mark_if_busy jmh
  { echo "### JMH $JMH_ARGS"; grep -v '^WARNING' "$OUT/gateway-jmh.txt"; } >>"$RAW"
  jmh_pool=$(grep -m1 '^# pool:\|# pool:' "$OUT/gateway-jmh.txt" | sed 's/.*# pool: //')
  # "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: instances"
  jmh_table=$(awk -F, 'NR > 1 { gsub(/"/, ""); n = split($1, p, "."); printf "| %s | %s | %s | %.1f | %s |\n", p[n], $8, $3, $5, ($6 == "NaN" ? "n/a" : sprintf("± %.1f", $6)) }' "$OUT/gateway-jmh.csv")
fi

# ---- report --------------------------------------------------------------------------------------
f0() { awk -v v="$1" 'BEGIN{ printf "%.0f", v }'; }
report() {
  echo "## gateway benchmark, $started_at"
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM;" \
    "$("$JAVA" -version 2>&1 | head -n 1); $(nginx -v 2>&1 | sed 's/.*: //'); $( { wrk -v 2>&1 || true; } | head -n 1 | awk '{print $1, $2}')."
  echo "Code: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- gateway-service platform 2>/dev/null || echo ' (gateway-service or platform modified)'); each run $DURATION; gateway $JAVA_OPTS${gw_rss:+, RSS $gw_rss after the runs}."
  echo
  echo "| target | wrk | requests/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | CPU % proxy / upstreams / wrk · machine busy % |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  local load threads conns target key line errs c added
  for load in "${LOADS[@]}"; do
    threads=${load%x*} conns=${load#*x}
    for target in direct nginx gateway; do
      key=$target-c$conns
      [[ -n ${res[$key]:-} ]] || continue
      line=${res[$key]}
      errs=$(( $(kv "$line" connect_errors) + $(kv "$line" read_errors) + $(kv "$line" write_errors) + $(kv "$line" status_errors) + $(kv "$line" timeouts) ))
      read -r -a c <<<"${cpu[$key]}"
      echo "| $target | -t$threads -c$conns | $(rps "$line") | $(ms "$line" p50_us) | $(ms "$line" p99_us) | $(ms "$line" p999_us) | $(ms "$line" max_us) | $errs | $([[ $target == direct ]] && echo - || echo "${c[0]}") / ${c[1]} / ${c[2]} · ${c[3]} |"
    done
  done
  echo
  if [[ -n ${res[gateway-c64]:-} && -n ${res[nginx-c64]:-} ]]; then
    local r64 r8
    r64=$(ratio "$(rps "${res[gateway-c64]}")" "$(rps "${res[nginx-c64]}")")
    echo "- throughput gateway / nginx at -c64: **$r64** (target ≥ 0.8: $(verdict "$r64" ">=" 0.8))"
    if [[ -n ${res[gateway-c8]:-} && -n ${res[nginx-c8]:-} ]]; then
      r8=$(ratio "$(rps "${res[gateway-c8]}")" "$(rps "${res[nginx-c8]}")")
      echo "- throughput gateway / nginx at -c8: $r8"
    fi
  fi
  added() { awk -v g="$(kv "${res[$1]}" "$3")" -v d="$(kv "${res[$2]}" "$3")" 'BEGIN{ printf "%.3f", (g - d) / 1000 }'; }
  for conns in 8 1; do
    [[ -n ${res[direct-c$conns]:-} ]] || continue
    if [[ -n ${res[gateway-c$conns]:-} ]]; then
      added=$(added "gateway-c$conns" "direct-c$conns" p99_us)
      if ((conns == 8)); then
        echo "- added p99 at -c8, gateway − direct: **$added ms** (target < 1 ms: $(verdict "$added" "<" 1)); added p50: $(added gateway-c8 direct-c8 p50_us) ms"
      else
        echo "- added p99 at -c$conns, gateway − direct: $added ms; added p50: $(added "gateway-c$conns" "direct-c$conns" p50_us) ms"
      fi
    fi
    [[ -z ${res[nginx-c$conns]:-} ]] \
      || echo "- added p99 at -c$conns, nginx − direct (reference): $(added "nginx-c$conns" "direct-c$conns" p99_us) ms; added p50: $(added "nginx-c$conns" "direct-c$conns" p50_us) ms"
  done
  for target in nginx gateway; do
    for conns in 64 8 1; do
      [[ -n ${res[$target-c$conns]:-} && -n ${res[direct-c$conns]:-} ]] || continue
      echo "- throughput $target / direct at -c$conns: $(ratio "$(rps "${res[$target-c$conns]}")" "$(rps "${res[direct-c$conns]}")")"
    done
  done
  for key in gateway-c64 gateway-c8 gateway-c1; do
    [[ -z ${threads_of[$key]:-} ]] || echo "- gateway threads' CPU during $key (% of one core): ${threads_of[$key]}"
  done
  ((${#skewed[@]} == 0)) || echo "- SKEWED (a build, bin/test or another benchmark ran during): ${skewed[*]}"
  if [[ -n $jmh_table ]]; then
    echo
    echo "JMH ($JMH_ARGS; $jmh_pool), average time per operation:"
    echo
    echo "| benchmark | instances | threads | ns/op | error (99.9 %) |"
    echo "| --- | ---: | ---: | ---: | --- |"
    echo "$jmh_table"
  fi
}
report | tee "$RESULTS"
