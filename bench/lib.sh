# Shared by the service benchmarks (bench/queue/run.sh, bench/session/run.sh, bench/scaler/run.sh,
# bench/gateway/run.sh); sourced, not run.
# The sourcing script sets, before it calls these:
#   DB, PGHOST_, PGPORT_        the benchmark database and where PostgreSQL listens
#   FLEET_DB_USER/PASSWORD      the role the services use (deploy/local/lib.sh sets them)
#   BUILD_WAIT_S                how long to wait for a Maven build or another benchmark to end
#   BENCH_OTHERS                pgrep -f pattern of the benchmarks that share DB with this one
#   BENCH_SCHEMA                the schema the measured service owns (must survive every phase)
#   SVC_LOG, ROOT, svc_pid      the service's log, the repository, the service's PID once started
# and may set:
#   BUILD_PATTERN               pgrep -f pattern of what counts as "a Maven build" (default: Maven itself)
#   bench_on_exit()             a function run on any exit after the service is stopped (other processes, temp files)

say() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---- the start every run.sh with a --quick mode shares -------------------------------------------
# bench_start "$@": --quick sets QUICK=1, --help prints the script's header comment (up to its `set`
# line); then a JDK 21+ (Temurin 25 if JAVA_HOME is unset and it is installed) in JAVA, and
# deploy/local/lib.sh's settings (FLEET_DB_*) and functions.
bench_start() {
  QUICK=0
  local arg
  for arg in "$@"; do
    case $arg in
      --quick) QUICK=1 ;;
      -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
      *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
  done
  [[ -n ${JAVA_HOME:-} || ! -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]] || export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
  # shellcheck source=../deploy/local/lib.sh
  source "$ROOT/deploy/local/lib.sh"
  fleet_pick_jdk
  JAVA=$JAVA_HOME/bin/java
}
q() { if (( QUICK )); then echo "$2"; else echo "$1"; fi; }   # q FULL QUICK
die() { say "error: $*"; exit 1; }

# ---- psql (TCP to the configured host, bounded by timeout T, default 900 s) ---------------------
as_fleet() { PGPASSWORD=$FLEET_DB_PASSWORD timeout "${T:-900}" psql -h "$PGHOST_" -p "$PGPORT_" -U "$FLEET_DB_USER" -d "$DB" -v ON_ERROR_STOP=1 -Atq "$@" </dev/null; }
as_pg() { timeout "${T:-900}" psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d "${PGDB:-postgres}" -v ON_ERROR_STOP=1 -Atq "$@" </dev/null; }

# ---- the service process: stopped by its PID on any exit ---------------------------------------
svc_pid=""
# stop_pid PID NAME: SIGTERM, up to 15 s, then SIGKILL; reaps it if it is our child.
stop_pid() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { say "${2:-process} (pid $pid) ignores SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  wait "$pid" 2>/dev/null || true
}
stop_service() {
  [[ -n $svc_pid ]] || return 0
  stop_pid "$svc_pid" service
  svc_pid=""
}
bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_service
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# await_up URL NAME PID LOG: until the service answers ready; dies with the end of its log otherwise.
await_up() {
  local i
  for ((i = 0; ; i++)); do
    curl -fs -o /dev/null --max-time 2 "$1/q/health/ready" && break
    kill -0 "$3" 2>/dev/null || { tail -n 40 "$4" >&2; die "$2 exited before it was ready"; }
    (( i < READY_TIMEOUT_S * 5 )) || { tail -n 40 "$4" >&2; die "$2 not ready in ${READY_TIMEOUT_S} s"; }
    sleep 0.2
  done
  say "  $2 ready (pid $3)"
}
# await_ready URL NAME: the same for the measured service (svc_pid, SVC_LOG).
await_ready() { await_up "$1" "$2" "$svc_pid" "$SVC_LOG"; }

# ---- builds and other benchmarks beside us skew every figure on 2 cores ------------------------
# The others in BENCH_OTHERS reset database DB: they must never run at the same time as this one.
build_running() { pgrep -f "${BUILD_PATTERN:-org.codehaus.plexus.classworlds}" >/dev/null 2>&1; }
other_bench_running() { pgrep -f "$BENCH_OTHERS" >/dev/null 2>&1; }
busy_reason() {
  if other_bench_running; then echo "another benchmark ($BENCH_OTHERS)"; elif build_running; then echo "a Maven build"; fi
}
wait_for_quiet() {
  local waited=0 why
  why=$(busy_reason)
  [[ -n $why ]] || return 0
  say "$why is running: waiting up to ${BUILD_WAIT_S} s for it to end"
  while [[ -n $(busy_reason) ]] && (( waited < BUILD_WAIT_S )); do sleep 2; waited=$((waited + 2)); done
  why=$(busy_reason)
  if [[ $why == another* ]]; then
    die "$why still runs after ${BUILD_WAIT_S} s${DB:+; it shares database $DB}: run later"
  elif [[ -n $why ]]; then
    say "WARNING: $why is still running; measuring anyway (figures skewed)"
  fi
  sleep 3
}
skewed=()
# mark_if_busy LABEL: records LABEL as skewed if a build or another benchmark runs now.
mark_if_busy() {
  local why
  why=$(busy_reason)
  [[ -z $why ]] || { skewed+=("$1"); say "WARNING: $why ran during $1 (figures skewed)"; }
}
mark_if_build() {
  mark_if_busy "$1"
  [[ $(as_fleet -c "select count(*) from pg_namespace where nspname = '$BENCH_SCHEMA'") == 1 ]] \
    || die "schema $BENCH_SCHEMA vanished from $DB during $1 (did another benchmark reset that database?)"
}

# ---- CPU from /proc ------------------------------------------------------------------------------
# cpu_ticks PID...: user+system clock ticks of these processes (all their threads; 0 for gone ones).
cpu_ticks() {
  local pid sum=0 t
  for pid in "$@"; do
    t=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null) || t=0
    sum=$((sum + ${t:-0}))
  done
  echo "$sum"
}
# thread_ticks PID: one line per thread of PID, "tid name ticks" (name with blanks as _).
thread_ticks() {
  local f line
  for f in /proc/"$1"/task/*/stat; do
    line=$(cat "$f" 2>/dev/null) || continue
    local name=${line#*(}; name=${name%)*}
    local rest=${line##*) }
    # shellcheck disable=SC2086
    set -- $rest
    echo "${f//[^0-9]/ } ${name// /_} $((${12} + ${13}))"
  done | awk '{print $2, $3, $4}'
}
# machine_ticks: "busy total" clock ticks of the whole machine since boot (every core).
machine_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6; exit}' /proc/stat; }

# ---- Debian tools -------------------------------------------------------------------------------
# need_commands CMD:PACKAGE...: installs the missing ones with apt-get when root, else dies saying how.
need_commands() {
  local spec missing=() pkgs=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || { missing+=("${spec%%:*}"); pkgs+=("${spec#*:}"); }
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "${missing[*]} missing: installing the Debian packages ${pkgs[*]} (apt-get install -y, as root)"
    timeout 600 apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${pkgs[@]}" >&2 || die "apt-get install ${pkgs[*]} failed"
    for spec in "$@"; do command -v "${spec%%:*}" >/dev/null || die "${spec%%:*} still missing after installing ${spec#*:}"; done
  else
    die "${missing[*]} missing: run 'apt-get install -y ${pkgs[*]}' as root"
  fi
}

# ---- small helpers for results ----------------------------------------------------------------
rand() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }   # kv "RESULT ... key=value ..." key
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN{ ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "MISS" }'; }
