#!/usr/bin/env bash
# gateway-service routing benchmark: how traffic is spread over unlike and alike upstreams, beside
# nginx `least_conn` and HAProxy `leastconn`, in one run (`bench/gateway/run.sh routing` runs this).
#
#   upstreams   two nginx processes of their own (temporary prefix and config, 1 worker each, no
#               access log), every answer a 100-byte body:
#                 fast  8 ports, `return 200`;
#                 slow  1 port, echo module (`libnginx-mod-http-echo`): `echo_sleep` for as long as a
#                       file in the temporary directory says (delay-<ms>; none: no delay), so the
#                       delay changes in the middle of a run without a reload.
#               Each has a stub_status port: the requests each process served, read before and after
#               every run and every 100 ms during the shift case, give the slow instance's share.
#   proxies     nginx (2 workers, `least_conn`, keepalive 64), HAProxy (`nbthread 2`, `balance leastconn`,
#               `http-reuse always`) and the gateway (the packaged fast-jar, copied first; default
#               algorithm; app and deep health layers off, the upstreams are plain nginx). Each has four
#               pools, chosen by path: /het/ = 3 fast + the slow one, /u2/, /u4/, /u8/ = 2, 4, 8 fast.
#   cases       fixed    the slow one delays GWR_DELAYS ms (each in turn), /het/ at -c8 and -c64, with
#                        each proxy's share to the slow one; GWR_ROUNDS rounds (see uniform);
#               shift    /het/ at -c8 and -c64, no delay for the first GWR_SHIFT[0] s, GWR_SHIFT_DELAY ms
#                        for GWR_SHIFT[1] s, none for the last GWR_SHIFT[2] s: the share over time, and how
#                        long after each change it takes to settle;
#               uniform  /u2/, /u4/, /u8/ at -c64 and -c1, with each proxy's CPU per request; GWR_ROUNDS
#                        rounds of every measurement, interleaved, reported as medians with the range of
#                        the ratio to nginx (the machine's neighbours move single runs by ±15 %).
#   Every measurement runs the three proxies one after the other (nginx, HAProxy, gateway) before the
#   next; the gateway's JIT is warmed first by a discarded run on each pool.
#
# Settling: the share over a sliding 500 ms window, sampled every 100 ms; a phase's steady share is
# its last half's; the share has settled at the first window of the phase within max(0.5 points, a
# quarter of the steady share) of it. Resolution: the 500 ms window (and the sampling, slower on a
# busy machine).
#
# Usage: bench/gateway/routing.sh [--quick]     (about 20 minutes; --quick about 3)
# Environment (defaults, quick defaults in brackets):
#   JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64; else any JDK 21+]
#   GWR_BASE_PORT [18500]   ports BASE+1 … BASE+15 on 127.0.0.1
#   GWR_CASES ["fixed shift uniform"]   GWR_PROXIES ["nginx haproxy gateway"]
#   GWR_DURATION [6s|3s]    each fixed and uniform run     GWR_WARMUP [15s|5s]  the gateway's warm-up
#   GWR_DELAYS ["2 20 50"]  GWR_SHIFT ["4 8 12"|"2 4 6"]  GWR_SHIFT_DELAY [20]  GWR_ROUNDS [3|1] of the fixed and uniform cases
#   GWR_JAVA_OPTS [-Xmx512m]  GWR_GATEWAY_OPTS  extra -D settings for the gateway
#   GWR_BUILD=1  build first (default: only if the jar is missing)
# Needs wrk, nginx, the echo module and HAProxy (installed from Debian when missing and run as root),
# curl, and PostgreSQL at FLEET_DB_HOST:FLEET_DB_PORT with the database `fleet` (the gateway's NOTIFY
# listener; created like deploy/local does if missing). Everything it starts is stopped by PID on any
# exit. Results: stdout and bench/.out/gateway-routing-results.md; raw wrk output and the shift
# time series in bench/.out/gateway-routing-raw.txt; the gateway's log in bench/.out/gateway-routing.log.
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/gateway
OUT=$ROOT/bench/.out
RESULTS=$OUT/gateway-routing-results.md
RAW=$OUT/gateway-routing-raw.txt
SVC_LOG=$OUT/gateway-routing.log
APP=$OUT/gateway-routing-app

# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"

BASE=${GWR_BASE_PORT:-18500}
FAST_PORT0=$((BASE + 1))            # fast upstreams: BASE+1 … BASE+8
SLOW_PORT=$((BASE + 9))
FAST_STATUS=$((BASE + 10))
SLOW_STATUS=$((BASE + 11))
NGINX_PORT=$((BASE + 12))
HAPROXY_PORT=$((BASE + 13))
GW_PORT=$((BASE + 14))
GW_ADMIN_PORT=$((BASE + 15))
CASES=${GWR_CASES:-fixed shift uniform}
PROXIES=${GWR_PROXIES:-nginx haproxy gateway}
DURATION=${GWR_DURATION:-$(q 6s 3s)}
WARMUP=${GWR_WARMUP:-$(q 15s 5s)}
read -r -a DELAYS <<<"${GWR_DELAYS:-2 20 50}"
read -r -a SHIFT <<<"${GWR_SHIFT:-$(q "4 8 12" "2 4 6")}"
SHIFT_DELAY=${GWR_SHIFT_DELAY:-20}
ROUNDS=${GWR_ROUNDS:-$(q 3 1)}
JAVA_OPTS=${GWR_JAVA_OPTS:--Xmx512m}
GATEWAY_OPTS=${GWR_GATEWAY_OPTS:-}
BUILD=${GWR_BUILD:-0}
BUILD_WAIT_S=${GWR_BUILD_WAIT_S:-600}
READY_TIMEOUT_S=90
CLK_TCK=$(getconf CLK_TCK)
BENCH_OTHERS='bench/(startup\.sh|queue/run\.sh|session/run\.sh|scaler/run\.sh|gateway/run\.sh)'
BUILD_PATTERN='org\.codehaus\.plexus\.classworlds|/bin/test( |$)|\.ci/run|deploy/local/test-stack'
BODY=$(printf '%099d' 0)            # + the newline: 100 bytes
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
SERIES_AWK=$(command -v mawk || echo awk)
trap 'say "error: line $LINENO failed: $BASH_COMMAND"' ERR

[[ :$PATH: == *:/usr/sbin:* ]] || PATH=$PATH:/usr/sbin
need_commands wrk:wrk nginx:nginx-light haproxy:haproxy curl:curl
[[ -f $ECHO_MODULE ]] || need_commands echo-module-missing:libnginx-mod-http-echo
[[ -f $ECHO_MODULE ]] || die "$ECHO_MODULE missing after installing libnginx-mod-http-echo"
[[ $DURATION =~ ^[0-9]+s$ && $WARMUP =~ ^[0-9]+s$ ]] || die "GWR_DURATION and GWR_WARMUP are whole seconds, like 6s"
((${#SHIFT[@]} == 3)) || die "GWR_SHIFT: three whole seconds (before, during, after)"
want() { [[ " $PROXIES " == *" $1 "* ]]; }
case_wanted() { [[ " $CASES " == *" $1 "* ]]; }
mkdir -p "$OUT"
: >"$RAW"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fleet-gwrouting.XXXXXX")
chmod 755 "$TMP"   # nginx's workers (user nobody when started as root) look for the delay files in it
declare -A workers
fast_pid="" slow_pid="" nginx_pid="" haproxy_pid="" poller_pid=""
stop_nginx() {
  local master=$1 w
  [[ -n $master ]] || return 0
  stop_pid "$master" "$2"
  for w in ${workers[$master]:-}; do
    [[ $(cat "/proc/$w/cmdline" 2>/dev/null | tr '\0' ' ') == "nginx: worker process"* ]] || continue
    kill -KILL "$w" 2>/dev/null || true
  done
}
bench_on_exit() {
  [[ -z $poller_pid ]] || { kill "$poller_pid" 2>/dev/null || true; wait "$poller_pid" 2>/dev/null || true; }
  stop_pid "$haproxy_pid" haproxy
  stop_nginx "$nginx_pid" "nginx proxy"
  stop_nginx "$slow_pid" "slow upstream"
  stop_nginx "$fast_pid" "fast upstreams"
  cp "$TMP"/*-error.log "$OUT"/ 2>/dev/null || true
  mkdir -p "$OUT/gateway-routing-conf" && cp "$TMP"/*.conf "$TMP"/*.cfg "$OUT/gateway-routing-conf/" 2>/dev/null || true
  rm -rf "$TMP"
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((p = BASE + 1; p <= BASE + 15; p++)); do ! port_in_use "$p" || die "port $p on 127.0.0.1 is taken (set GWR_BASE_PORT)"; done

fast_port() { echo $((FAST_PORT0 + $1 - 1)); }   # fast_port 1..8
# the pools: name → "host:port ..."
declare -A POOL
POOL[het]="127.0.0.1:$(fast_port 1) 127.0.0.1:$(fast_port 2) 127.0.0.1:$(fast_port 3) 127.0.0.1:$SLOW_PORT"
for n in 2 4 8; do
  POOL[u$n]=""
  for ((i = 1; i <= n; i++)); do POOL[u$n]+="127.0.0.1:$(fast_port "$i") "; done
done

# ---- nginx: upstreams and proxy ------------------------------------------------------------------
nginx_conf() {   # NAME WORKERS PREAMBLE BODY
  cat >"$TMP/$1.conf" <<EOF
$3
worker_processes $2;
daemon off;
pid $TMP/$1.pid;
error_log $TMP/$1-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $TMP/$1-body;
  proxy_temp_path $TMP/$1-proxy;
  fastcgi_temp_path $TMP/$1-fastcgi;
  uwsgi_temp_path $TMP/$1-uwsgi;
  scgi_temp_path $TMP/$1-scgi;
$4
}
EOF
}
start_nginx() {   # NAME URL...: started_pid
  local name=$1 pid i url
  shift
  nginx -p "$TMP/" -e "$TMP/$name-error.log" -c "$TMP/$name.conf" -t -q 2>"$TMP/$name-test.log" \
    || { cat "$TMP/$name-test.log" >&2; die "nginx rejects $TMP/$name.conf"; }
  nginx -p "$TMP/" -e "$TMP/$name-error.log" -c "$TMP/$name.conf" </dev/null >"$TMP/$name-stdout.log" 2>&1 &
  pid=$!
  for url in "$@"; do await_body "$url" "$name" "$pid"; done
  workers[$pid]=$(pgrep -P "$pid" | tr '\n' ' ')
  say "nginx $name ready (pid $pid)"
  started_pid=$pid
}
await_body() {   # URL NAME PID: until URL answers the 100-byte body
  local i
  for ((i = 0; ; i++)); do
    [[ $(curl -s --max-time 2 "$1" 2>/dev/null) == "$BODY" ]] && return 0
    kill -0 "$3" 2>/dev/null || die "$2 exited"
    (( i < 200 )) || die "$2: $1 does not answer in 20 s"
    sleep 0.1
  done
}

fast_servers=""
for ((i = 1; i <= 8; i++)); do fast_servers+="    listen 127.0.0.1:$(fast_port "$i");"$'\n'; done
nginx_conf fast 1 "" "  server {
$fast_servers    location / { return 200 \"$BODY\\n\"; }
  }
  server { listen 127.0.0.1:$FAST_STATUS; location / { stub_status; } }"
start_nginx fast "http://127.0.0.1:$(fast_port 1)/"
fast_pid=$started_pid

delay_sets=""
for d in "${DELAYS[@]}" "$SHIFT_DELAY"; do
  [[ $d =~ ^[0-9]+$ ]] || die "delays are whole milliseconds, not $d"
  delay_sets+="      if (-f $TMP/delay-$d) { set \$delay $(awk -v d="$d" 'BEGIN{printf "%.3f", d / 1000}'); }"$'\n'
done
nginx_conf slow 1 "load_module $ECHO_MODULE;" "  open_file_cache off;
  server {
    listen 127.0.0.1:$SLOW_PORT;
    location / {
      set \$delay 0;
$delay_sets      echo_sleep \$delay;
      echo \"$BODY\";
    }
  }
  server { listen 127.0.0.1:$SLOW_STATUS; location / { stub_status; } }"
start_nginx slow "http://127.0.0.1:$SLOW_PORT/"
slow_pid=$started_pid
set_delay() { rm -f "$TMP"/delay-*; [[ $1 == 0 ]] || touch "$TMP/delay-$1"; }
slow_answer_ms() { curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$SLOW_PORT/" | awk '{printf "%.1f", $1 * 1000}'; }

if want nginx; then
  upstreams=""
  for pool in het u2 u4 u8; do
    upstreams+="  upstream $pool { least_conn;"
    for s in ${POOL[$pool]}; do upstreams+=" server $s;"; done
    upstreams+=" keepalive 64; keepalive_requests 1000000; }"$'\n'
  done
  nginx_conf proxy 2 "" "$upstreams  server {
    listen 127.0.0.1:$NGINX_PORT;
    proxy_http_version 1.1;
    proxy_set_header Connection \"\";
    location /het/ { proxy_pass http://het; }
    location /u2/ { proxy_pass http://u2; }
    location /u4/ { proxy_pass http://u4; }
    location /u8/ { proxy_pass http://u8; }
  }"
  start_nginx proxy "http://127.0.0.1:$NGINX_PORT/u2/"
  nginx_pid=$started_pid
fi

if want haproxy; then
  {
    echo "global"
    echo "  nbthread 2"
    echo "  maxconn 8192"
    echo "defaults"
    echo "  mode http"
    echo "  timeout connect 2s"
    echo "  timeout client 60s"
    echo "  timeout server 60s"
    echo "  option http-keep-alive"
    echo "  http-reuse always"
    echo "frontend fe"
    echo "  bind 127.0.0.1:$HAPROXY_PORT"
    for pool in het u2 u4 u8; do echo "  use_backend $pool if { path_beg /$pool/ }"; done
    for pool in het u2 u4 u8; do
      echo "backend $pool"
      echo "  balance leastconn"
      i=0
      for s in ${POOL[$pool]}; do i=$((i + 1)); echo "  server s$i $s"; done
    done
  } >"$TMP/haproxy.cfg"
  haproxy -c -q -f "$TMP/haproxy.cfg" >&2 || die "haproxy rejects $TMP/haproxy.cfg"
  haproxy -db -f "$TMP/haproxy.cfg" </dev/null >"$TMP/haproxy-error.log" 2>&1 &
  haproxy_pid=$!
  await_body "http://127.0.0.1:$HAPROXY_PORT/u2/" haproxy "$haproxy_pid"
  say "haproxy ready (pid $haproxy_pid)"
fi

if want gateway; then
  if (( BUILD )) || [[ ! -f $ROOT/gateway-service/target/quarkus-app/quarkus-run.jar ]]; then
    say "building gateway-service (./mvnw -B -q package -DskipTests -pl gateway-service -am)"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl gateway-service -am) >&2 || die "build failed"
  fi
  rm -rf "$APP"
  cp -r "$ROOT/gateway-service/target/quarkus-app" "$APP"
  fleet_ensure_database fleet
  gw_opts=()
  for pool in het u2 u4 u8; do
    urls=""
    for s in ${POOL[$pool]}; do urls+="${urls:+,}http://$s"; done
    gw_opts+=("-Dfleet.gateway.pools.$pool.upstreams=$urls"
      "-Dfleet.gateway.pools.$pool.health.app-enabled=false" "-Dfleet.gateway.pools.$pool.health.deep-enabled=false"
      "-Dfleet.gateway.routes.$pool.pool=$pool" "-Dfleet.gateway.routes.$pool.path-prefix=/$pool/")
  done
  say "starting gateway-service (listener 127.0.0.1:$GW_PORT, admin 127.0.0.1:$GW_ADMIN_PORT)"
  # shellcheck disable=SC2086  # JAVA_OPTS and GATEWAY_OPTS are lists of options
  (cd "$OUT" && exec "$JAVA" $JAVA_OPTS \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$GW_ADMIN_PORT" \
    -Dquarkus.datasource.reactive.max-size=2 \
    -Dfleet.gateway.listener.host=127.0.0.1 -Dfleet.gateway.listener.port="$GW_PORT" \
    "${gw_opts[@]}" $GATEWAY_OPTS \
    -jar "$APP/quarkus-run.jar") </dev/null >"$SVC_LOG" 2>&1 &
  svc_pid=$!
  await_ready "http://127.0.0.1:$GW_ADMIN_PORT" gateway-service
  await_body "http://127.0.0.1:$GW_PORT/u2/" gateway "$svc_pid"
fi

# ---- measuring -----------------------------------------------------------------------------------
url_of() {   # PROXY POOL
  case $1 in
    nginx) echo "http://127.0.0.1:$NGINX_PORT/$2/" ;;
    haproxy) echo "http://127.0.0.1:$HAPROXY_PORT/$2/" ;;
    gateway) echo "http://127.0.0.1:$GW_PORT/$2/" ;;
  esac
}
pids_of() {
  case $1 in
    nginx) echo "$nginx_pid ${workers[$nginx_pid]}" ;;
    haproxy) echo "$haproxy_pid" ;;
    gateway) echo "$svc_pid" ;;
  esac
}
served() {   # "slow fast": requests each upstream process has served so far
  local s f
  s=$(curl -s --max-time 2 "http://127.0.0.1:$SLOW_STATUS/" | awk 'NR == 3 {print $3}')
  f=$(curl -s --max-time 2 "http://127.0.0.1:$FAST_STATUS/" | awk 'NR == 3 {print $3}')
  echo "${s:-0} ${f:-0}"
}
declare -A res
rps() { awk -v n="$(kv "$1" requests)" -v d="$(kv "$1" duration_us)" 'BEGIN{ printf "%.0f", (d > 0 ? n / (d / 1e6) : 0) }'; }
ms() { awk -v u="$(kv "$1" "$2")" 'BEGIN{ printf "%.2f", u / 1000 }'; }
# measure KEY PROXY POOL THREADS CONNS DURATION: one wrk run → res[KEY] = "RESULT … slow=… fast=… cpu_ticks=…"
measure() {
  local key=$1 proxy=$2 pool=$3 threads=$4 conns=$5 dur=$6 out line b a c0 c1 errs
  b=$(served)
  # shellcheck disable=SC2046
  c0=$(cpu_ticks $(pids_of "$proxy"))
  out=$(timeout $((${dur%s} + 60)) wrk -t"$threads" -c"$conns" -d"$dur" --timeout 5s -s "$HERE/report.lua" "$(url_of "$proxy" "$pool")" 2>&1) \
    || die "wrk failed against $proxy: $out"
  # shellcheck disable=SC2046
  c1=$(cpu_ticks $(pids_of "$proxy"))
  a=$(served)
  printf '### %s: %s %s -t%s -c%s -d%s\n%s\n\n' "$key" "$proxy" "$pool" "$threads" "$conns" "$dur" "$out" >>"$RAW"
  line=$(grep '^RESULT ' <<<"$out" | tail -n 1)
  [[ -n $line ]] || die "no RESULT line from wrk against $proxy: $out"
  read -r bs bf <<<"$b"
  read -r as af <<<"$a"
  res[$key]="$line slow=$((as - bs)) fast=$((af - bf)) cpu_ticks=$((c1 - c0))"
  errs=$(( $(kv "$line" connect_errors) + $(kv "$line" read_errors) + $(kv "$line" write_errors) + $(kv "$line" status_errors) + $(kv "$line" timeouts) ))
  (( errs == 0 )) || say "WARNING: $key: $errs errors or non-2xx answers"
  mark_if_busy "$key"
  say "$key: $(rps "$line") req/s, p50 $(ms "$line" p50_us) ms, p99 $(ms "$line" p99_us) ms, slow share $(share "${res[$key]}") %"
}
share() { awk -v s="$(kv "$1" slow)" -v f="$(kv "$1" fast)" 'BEGIN{ printf "%.2f", (s + f > 0 ? 100 * s / (s + f) : 0) }'; }
cpu_us() { awk -v t="$(kv "$1" cpu_ticks)" -v hz="$CLK_TCK" -v n="$(kv "$1" requests)" 'BEGIN{ printf "%.1f", (n > 0 ? 1e6 * t / hz / n : 0) }'; }

wait_for_quiet
set_delay 0
if want gateway; then
  say "warming the gateway up: wrk -t2 -c64 -d$WARMUP on /u4/, then /het/ and /u8/ (discarded)"
  wrk -t2 -c64 -d"$WARMUP" "$(url_of gateway u4)" >/dev/null
  wrk -t2 -c64 -d5s "$(url_of gateway het)" >/dev/null
  wrk -t2 -c64 -d5s "$(url_of gateway u8)" >/dev/null
fi
started_at=$(date -u '+%Y-%m-%d %H:%M UTC')

if case_wanted fixed; then
  for ((r = 1; r <= ROUNDS; r++)); do
    for d in "${DELAYS[@]}"; do
      set_delay "$d"
      say "slow upstream: delay $d ms, one request takes $(slow_answer_ms) ms (round $r)"
      for load in 1x8 2x64; do
        for proxy in nginx haproxy gateway; do
          want "$proxy" || continue
          measure "fixed-$d-c${load#*x}-$proxy-r$r" "$proxy" het "${load%x*}" "${load#*x}" "$DURATION"
          sleep 1
        done
      done
    done
  done
  set_delay 0
fi

# shift: the share every 100 ms while the delay comes and goes; series lines "t_ms slow fast", marks "ON t_ms"/"OFF t_ms"
declare -A settle
shift_run() {   # PROXY THREADS CONNS
  local proxy=$1 threads=$2 conns=$3 key="shift-c$3-$1" total series=$TMP/series
  total=$((SHIFT[0] + SHIFT[1] + SHIFT[2]))
  : >"$series"
  ( while :; do echo "$(date +%s%3N) $(served)"; sleep 0.1; done ) >>"$series" &
  poller_pid=$!
  : >"$series.marks"
  ( sleep "${SHIFT[0]}"; set_delay "$SHIFT_DELAY"; echo "ON $(date +%s%3N)" >>"$series.marks"
    sleep "${SHIFT[1]}"; set_delay 0; echo "OFF $(date +%s%3N)" >>"$series.marks" ) &
  local switcher=$!
  measure "$key" "$proxy" het "$threads" "$conns" "${total}s"
  wait "$switcher" || true
  kill "$poller_pid" 2>/dev/null || true; wait "$poller_pid" 2>/dev/null || true; poller_pid=""
  set_delay 0
  { echo "### $key series (t_ms slow fast)"; cat "$series.marks" "$series"; echo; } >>"$RAW"
  # mawk: gawk 5.2.1 aborts on this program ("double free detected")
  settle[$key]=$("$SERIES_AWK" -v window=500 '
    BEGIN { n = 0 }
    $1 == "ON" { on = $2; next } $1 == "OFF" { off = $2; next }
    { t[n] = $1; s[n] = $2; f[n] = $3; n++ }
    function sh(i, j) { return (s[i] - s[j] + f[i] - f[j] > 0) ? (s[i] - s[j]) / (s[i] - s[j] + f[i] - f[j]) : 0 }
    # steady share of [from, to): its last half; settled: the first sliding window within the band of it
    function phase(from, to,   i, j, h, a, b, steady, band, first, ok, w) {
      h = from + (to - from) / 2; a = -1; b = -1
      for (i = 0; i < n; i++) { if (a < 0 && t[i] >= h) a = i; if (t[i] < to) b = i }
      steady = (a >= 0 && b > a) ? sh(b, a) : 0
      band = steady / 4; if (band < 0.005) band = 0.005
      first = -1
      for (i = 0; i < n; i++) {
        if (t[i] - window < from || t[i] >= to) continue
        for (j = i; j > 0 && t[i] - t[j] < window; j--) ;
        w = sh(i, j)
        ok = (w - steady <= band && steady - w <= band)
        if (ok && first < 0) first = t[i]
      }
      return sprintf("%.2f %s", 100 * steady, (first < 0 ? "never" : sprintf("%.1f", (first - from) / 1000)))
    }
    END {
      if (!on || !off || n < 10) { print "n/a n/a n/a n/a n/a n/a"; exit }
      print phase(t[0], on), phase(on, off), phase(off, t[n - 1] + 1)
    }' "$series.marks" "$series")
  say "$key: share % and settled after s, before / during / after: ${settle[$key]}"
}
if case_wanted shift; then
  for load in 1x8 2x64; do
    for proxy in nginx haproxy gateway; do
      want "$proxy" || continue
      shift_run "$proxy" "${load%x*}" "${load#*x}"
      sleep 1
    done
  done
fi

if case_wanted uniform; then
  for ((r = 1; r <= ROUNDS; r++)); do
    for n in 2 4 8; do
      for load in 2x64 1x1; do
        for proxy in nginx haproxy gateway; do
          want "$proxy" || continue
          measure "uniform-$n-c${load#*x}-$proxy-r$r" "$proxy" "u$n" "${load%x*}" "${load#*x}" "$DURATION"
          sleep 1
        done
      done
    done
  done
fi
# median KEY FIELD: the median over the rounds of FIELD (rps, p50, p99, cpu, share, or x: req/s over nginx's in the same round)
median() {
  local key=$1 field=$2 r line v values=()
  for ((r = 1; r <= ROUNDS; r++)); do
    line=${res[$key-r$r]:-}
    [[ -n $line ]] || continue
    case $field in
      rps) v=$(rps "$line") ;;
      p50) v=$(ms "$line" p50_us) ;;
      p99) v=$(ms "$line" p99_us) ;;
      cpu) v=$(cpu_us "$line") ;;
      share) v=$(share "$line") ;;
      x) [[ -n ${res[${key%-*}-nginx-r$r]:-} ]] || { echo -; return; }
         v=$(ratio "$(rps "$line")" "$(rps "${res[${key%-*}-nginx-r$r]}")") ;;
    esac
    values+=("$v")
  done
  ((${#values[@]} > 0)) || { echo -; return; }
  local format
  case $field in rps) format=%.0f ;; cpu) format=%.1f ;; *) format=%.2f ;; esac
  printf '%s\n' "${values[@]}" | sort -g \
    | awk -v f="$format" '{ v[NR] = $1 } END { printf f, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# spread KEY: the lowest and highest × nginx over the rounds
spread() {
  local key=$1 r line values=()
  [[ $key != *-nginx ]] || { echo -; return; }
  for ((r = 1; r <= ROUNDS; r++)); do
    line=${res[$key-r$r]:-}
    [[ -n $line && -n ${res[${key%-*}-nginx-r$r]:-} ]] || continue
    values+=("$(ratio "$(rps "$line")" "$(rps "${res[${key%-*}-nginx-r$r]}")")")
  done
  ((${#values[@]} > 1)) || { echo -; return; }
  printf '%s\n' "${values[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'
}

# ---- report --------------------------------------------------------------------------------------
report() {
  local key line d load proxy n c
  echo "## gateway routing benchmark, $started_at"
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)); $("$JAVA" -version 2>&1 | head -n 1);" \
    "$(nginx -v 2>&1 | sed 's/.*: //'); $(haproxy -v | awk 'NR == 1 {print "HAProxy", $3}'); $( { wrk -v 2>&1 || true; } | head -n 1 | awk '{print $1, $2}')."
  echo "Code: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- gateway-service 2>/dev/null || echo ' (gateway-service modified)'); runs of $DURATION; gateway $JAVA_OPTS."
  if case_wanted fixed; then
    echo
    echo "### One slow instance (3 fast + 1 delayed), fixed delay"
    echo
    echo "Medians over $ROUNDS interleaved rounds, as for the uniform pools below."
    echo
    echo "| delay | wrk | proxy | req/s | × nginx | range | p50 ms | p99 ms | slow share % |"
    echo "| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |"
    for d in "${DELAYS[@]}"; do
      for load in 1x8 2x64; do
        c=${load#*x}
        for proxy in nginx haproxy gateway; do
          key=fixed-$d-c$c-$proxy
          [[ -n ${res[$key-r1]:-} ]] || continue
          echo "| $d ms | -t${load%x*} -c$c | $proxy | $(median "$key" rps) | $(median "$key" x) | $(spread "$key") | $(median "$key" p50) | $(median "$key" p99) | $(median "$key" share) |"
        done
      done
    done
  fi
  if case_wanted shift; then
    echo
    echo "### A delay of $SHIFT_DELAY ms that starts after ${SHIFT[0]} s and ends ${SHIFT[1]} s later (${SHIFT[2]} s more)"
    echo
    echo "Share % of the slow instance in each phase's second half, and seconds after the phase began until the share settled (500 ms windows)."
    echo
    echo "| wrk | proxy | req/s | p50 ms | p99 ms | share before | share during | settled after (s) | share after | settled after (s) |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for load in 1x8 2x64; do
      c=${load#*x}
      for proxy in nginx haproxy gateway; do
        key=shift-c$c-$proxy
        line=${res[$key]:-}
        [[ -n $line ]] || continue
        read -r b0 _ d0 d1 a0 a1 <<<"${settle[$key]}"
        echo "| -t${load%x*} -c$c | $proxy | $(rps "$line") | $(ms "$line" p50_us) | $(ms "$line" p99_us) | $b0 | $d0 | $d1 | $a0 | $a1 |"
      done
    done
  fi
  if case_wanted uniform; then
    echo
    echo "### Uniform pools"
    echo
    echo "Medians over $ROUNDS interleaved rounds; × nginx is the median of each round's ratio, its range beside it."
    echo
    echo "| pool | wrk | proxy | req/s | × nginx | range | p50 ms | p99 ms | proxy CPU µs / request |"
    echo "| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |"
    for n in 2 4 8; do
      for load in 2x64 1x1; do
        c=${load#*x}
        for proxy in nginx haproxy gateway; do
          key=uniform-$n-c$c-$proxy
          [[ -n ${res[$key-r1]:-} ]] || continue
          echo "| $n | -t${load%x*} -c$c | $proxy | $(median "$key" rps) | $(median "$key" x) | $(spread "$key") | $(median "$key" p50) | $(median "$key" p99) | $(median "$key" cpu) |"
        done
      done
    done
  fi
  ((${#skewed[@]} == 0)) || { echo; echo "- SKEWED (a build, bin/test or another benchmark ran during): ${skewed[*]}"; }
}
stop_service
report | tee "$RESULTS"
