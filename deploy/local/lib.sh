# Shared by deploy/local/{up,down,status,test-stack}, bin/test and .ci/run. Source it; it runs nothing.
# shellcheck shell=bash

FLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FLEET_SERVICES=(gateway-service queue-service session-service scaler-service telemetry-service)
FLEET_DB_HOST=${FLEET_DB_HOST:-127.0.0.1}
FLEET_DB_PORT=${FLEET_DB_PORT:-5432}
FLEET_DB_USER=${FLEET_DB_USER:-fleet}
FLEET_DB_PASSWORD=${FLEET_DB_PASSWORD:-fleet}
FLEET_LOCAL_BASE_PORT=${FLEET_LOCAL_BASE_PORT:-8080}
FLEET_LOCAL_RUN_DIR=${FLEET_LOCAL_RUN_DIR:-$FLEET_ROOT/deploy/local/.run}
# Reference runners (fleet-runner) the local stack starts, their pool (= queue) and job slots each.
FLEET_LOCAL_RUNNERS=${FLEET_LOCAL_RUNNERS:-2}
FLEET_LOCAL_RUNNER_POOL=${FLEET_LOCAL_RUNNER_POOL:-default}
FLEET_LOCAL_RUNNER_CONCURRENCY=${FLEET_LOCAL_RUNNER_CONCURRENCY:-4}
FLEET_RUNNER_JAR=$FLEET_ROOT/fleet-runner/target/fleet-runner.jar
# A pool the scaler sizes from its queue (process backend: it starts and stops fleet-runner processes).
FLEET_LOCAL_SCALED_POOL=${FLEET_LOCAL_SCALED_POOL:-auto}
FLEET_LOCAL_SCALED_MAX=${FLEET_LOCAL_SCALED_MAX:-4}

fleet_say() { printf '%s\n' "$*" >&2; }
fleet_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Port of the i-th service: gateway 8080, queue 8081, session 8082, scaler 8083, telemetry 8084.
fleet_port() {
  local i
  for i in "${!FLEET_SERVICES[@]}"; do
    [[ ${FLEET_SERVICES[$i]} == "$1" ]] && { echo $((FLEET_LOCAL_BASE_PORT + i)); return; }
  done
  fleet_die "unknown service $1"
}

# Exports JAVA_HOME for a JDK 21 or newer: $JAVA_HOME, then java on PATH, then /usr/lib/jvm/*.
fleet_pick_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    [[ -n $candidate && -x $candidate/bin/java && -x $candidate/bin/javac ]] || continue
    if [[ $(_fleet_java_major "$candidate/bin/java") -ge 21 ]]; then
      export JAVA_HOME=$candidate
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  fleet_die "Fleet needs a JDK 21 or newer (found none in JAVA_HOME, on PATH or under /usr/lib/jvm).
Install one (e.g. Temurin 21/25 or 'apt-get install openjdk-21-jdk' where your distribution has it) and set JAVA_HOME."
}

_fleet_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

_fleet_pg_answers() { pg_isready -q -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -t 3 2>/dev/null; }

# Makes sure a PostgreSQL answers at FLEET_DB_HOST:FLEET_DB_PORT. If none does and this machine has a
# local cluster, starts it. With --install (CI), installs Debian's postgresql first when there is none.
fleet_ensure_postgres() {
  local install=${1:-}
  command -v pg_isready >/dev/null || {
    if [[ $install == --install ]]; then _fleet_install_postgres; else _fleet_no_postgres; fi
  }
  _fleet_pg_answers && return 0
  if [[ $FLEET_DB_HOST != 127.0.0.1 && $FLEET_DB_HOST != localhost ]]; then
    fleet_die "No PostgreSQL answers at $FLEET_DB_HOST:$FLEET_DB_PORT (FLEET_DB_HOST/FLEET_DB_PORT). Start it, or unset them to use a local one."
  fi
  if ! command -v pg_lsclusters >/dev/null || [[ -z $(pg_lsclusters -h 2>/dev/null) ]]; then
    if [[ $install == --install ]]; then _fleet_install_postgres; else _fleet_no_postgres; fi
  fi
  local version cluster port status
  while read -r version cluster port status _; do
    [[ $port == "$FLEET_DB_PORT" && $status != online* ]] || continue
    fleet_say "Starting PostgreSQL cluster $version/$cluster on port $port ..."
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start 2>/dev/null \
      || pg_ctlcluster "$version" "$cluster" start
  done < <(pg_lsclusters -h)
  local waited=0
  until _fleet_pg_answers; do
    (( waited++ < 30 )) || fleet_die "PostgreSQL did not answer on $FLEET_DB_HOST:$FLEET_DB_PORT within 30 s (see /var/log/postgresql/)."
    sleep 1
  done
}

_fleet_no_postgres() {
  fleet_die "No PostgreSQL answers at $FLEET_DB_HOST:$FLEET_DB_PORT and none is installed here.
Install one:  sudo apt-get install -y postgresql   (Debian/Ubuntu; it starts on port 5432)
or point FLEET_DB_HOST / FLEET_DB_PORT / FLEET_DB_USER / FLEET_DB_PASSWORD at an existing server."
}

_fleet_install_postgres() {
  fleet_say "Installing PostgreSQL from the distribution's packages ..."
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

# Runs psql as a PostgreSQL superuser: over TCP as postgres (trust setups), else as the postgres
# OS user over the local socket (Debian's default peer auth).
_fleet_psql_admin() {
  if psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 </dev/null; then
    psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif [[ $(id -u) -eq 0 ]] && command -v runuser >/dev/null; then
    runuser -u postgres -- psql -p "$FLEET_DB_PORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif command -v sudo >/dev/null; then
    sudo -u postgres psql -p "$FLEET_DB_PORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  else
    fleet_die "Cannot act as a PostgreSQL superuser to create role $FLEET_DB_USER and its database; create them by hand."
  fi
}

# Creates the role FLEET_DB_USER (password FLEET_DB_PASSWORD) and database $1 owned by it, if missing.
fleet_ensure_database() {
  local db=$1
  if PGPASSWORD=$FLEET_DB_PASSWORD psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U "$FLEET_DB_USER" -d "$db" \
      -Atqc 'select 1' >/dev/null 2>&1 </dev/null; then
    return 0
  fi
  fleet_say "Creating PostgreSQL role '$FLEET_DB_USER' and database '$db' ..."
  _fleet_psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$FLEET_DB_USER', '$FLEET_DB_PASSWORD')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$FLEET_DB_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$FLEET_DB_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db') \gexec
SQL
  PGPASSWORD=$FLEET_DB_PASSWORD psql -h "$FLEET_DB_HOST" -p "$FLEET_DB_PORT" -U "$FLEET_DB_USER" -d "$db" \
    -Atqc 'select 1' >/dev/null </dev/null \
    || fleet_die "Role '$FLEET_DB_USER' cannot log in to '$db' over TCP; check pg_hba.conf allows password or trust auth for $FLEET_DB_HOST."
}

# PID of a service started by deploy/local/up, if that process still runs that service.
fleet_running_pid() { _fleet_recorded_pid "$1" "$1/target/quarkus-app/quarkus-run.jar"; }

# The PID recorded in pids/$1.pid if it still is what up started: a process whose command line has $2,
# or (containers mode, a pids/$1.cid beside it) the main process of that container. A recycled PID of
# something else is never touched.
_fleet_recorded_pid() {
  local pidfile=$FLEET_LOCAL_RUN_DIR/pids/$1.pid cidfile=$FLEET_LOCAL_RUN_DIR/pids/$1.cid pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ -r /proc/$pid/cmdline ]] || return 1
  if [[ -f $cidfile ]]; then
    grep -q -- "$(<"$cidfile")" "/proc/$pid/cgroup" 2>/dev/null || return 1
  else
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  fi
  echo "$pid"
}

# --- Containers mode (deploy/local/up --containers): the same stack, each part a podman container on
# the host network, PostgreSQL still on the host. up records the mode in the run directory.
fleet_local_mode() { if [[ -f $FLEET_LOCAL_RUN_DIR/mode ]]; then cat "$FLEET_LOCAL_RUN_DIR/mode"; else echo processes; fi; }

fleet_version() { sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$FLEET_ROOT/pom.xml"; }

# The image deploy/images/build makes of $1 (a service or fleet-runner).
fleet_image() { echo "localhost/fleet/$1:$(fleet_version)"; }

# What the scaler's containers of this stack are labelled and named with (its docker backend's scope).
fleet_container_scope() { echo "fleet-local-$FLEET_LOCAL_BASE_PORT"; }

# Starts $1 (a service, runner-N) logging to logs/$1.log, its PID in pids/$1.pid: a java process running
# jar $2, or in containers mode a container of image $3 (its id in pids/$1.cid). $4: JVM options (in
# containers: JAVA_TOOL_OPTIONS); the rest are the program's arguments. Containers get the exported
# FLEET_* and QUARKUS_* variables, and the podman options in the array FLEET_LAUNCH_PODMAN_OPTS.
fleet_launch() {
  local name=$1 jar=$2 image=$3 jvm=$4 log=$FLEET_LOCAL_RUN_DIR/logs/$1.log cid
  shift 4
  if [[ $(fleet_local_mode) == containers ]]; then
    cid=$(podman run -d --rm --name "$(fleet_container_scope)-$name" --network host \
      --log-driver k8s-file --log-opt "path=$log" --env-file <(env | grep -E '^(FLEET|QUARKUS)_') \
      -e "JAVA_TOOL_OPTIONS=$jvm" "${FLEET_LAUNCH_PODMAN_OPTS[@]}" "$image" "$@") || return 1
    echo "$cid" >"$FLEET_LOCAL_RUN_DIR/pids/$name.cid"
    podman inspect -f '{{.State.Pid}}' "$cid" >"$FLEET_LOCAL_RUN_DIR/pids/$name.pid"
  else
    local -a jvm_args
    read -r -a jvm_args <<<"$jvm"
    nohup "$JAVA_HOME/bin/java" "${jvm_args[@]}" -jar "$jar" "$@" >"$log" 2>&1 </dev/null &
    echo $! >"$FLEET_LOCAL_RUN_DIR/pids/$name.pid"
  fi
}

# The Podman service (Docker Engine API) the containerised scaler drives, on $FLEET_LOCAL_RUN_DIR/podman.sock.
fleet_podman_service_pid() { _fleet_recorded_pid podman-service "podman system service"; }

# Ports the scaler's process backend gives the runners it starts: base port + 200 … + 299.
# The gateway's proxy listener (client traffic; its admin API is on its service port).
fleet_proxy_port() { echo "${FLEET_LOCAL_PROXY_PORT:-$((FLEET_LOCAL_BASE_PORT - 80))}"; }

fleet_scaled_ports() { echo "$((FLEET_LOCAL_BASE_PORT + 200))-$((FLEET_LOCAL_BASE_PORT + 299))"; }

# PIDs of runners the scaler started for this stack: fleet-runner processes on its scaled ports, or in
# containers mode the main processes of the containers of this stack's scope. Found by command line or
# label, not the database, so down works even when PostgreSQL or the scaler does not.
fleet_scaled_runner_pids() {
  if [[ $(fleet_local_mode) == containers ]]; then
    # Every container of the scope, not only "running" ones: one being stopped (its runner draining)
    # is not listed as running, yet its process lives until it exits (PID 0 then). Fails (rather
    # than answering "none") when podman cannot tell.
    local ids pids
    ids=$(podman ps -aq --filter "label=dev.fleet.managed-by=$(fleet_container_scope)") || return 1
    [[ -n $ids ]] || return 0
    # shellcheck disable=SC2086 # one id a word
    pids=$(podman inspect -f '{{.State.Pid}}' $ids) || return 1
    grep -v '^0$' <<<"$pids" || true
    return 0
  fi
  local cmdline pid port first=$((FLEET_LOCAL_BASE_PORT + 200)) last=$((FLEET_LOCAL_BASE_PORT + 299))
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=${cmdline#/proc/}; pid=${pid%/cmdline}
    port=$(tr '\0' ' ' 2>/dev/null <"$cmdline" | sed -nE "s#.*-jar $FLEET_RUNNER_JAR .*--port ([0-9]+).*#\1#p")
    [[ -n $port ]] && (( port >= first && port <= last )) && echo "$pid"
  done
  return 0
}

# HTTP port of local runner $1 (1, 2, ...): base port + 100, + 101, ... (8180, 8181, ...).
fleet_runner_port() { echo $((FLEET_LOCAL_BASE_PORT + 99 + $1)); }

# PID of local runner $1, if that process still is that runner.
fleet_runner_pid() { _fleet_recorded_pid "runner-$1" "fleet-runner.jar .*--port $(fleet_runner_port "$1")"; }

# Indexes of the runners that have a pid file (whatever FLEET_LOCAL_RUNNERS says now).
fleet_recorded_runners() {
  local file
  for file in "$FLEET_LOCAL_RUN_DIR"/pids/runner-*.pid; do
    [[ -f $file ]] || continue
    file=${file##*/runner-}; echo "${file%.pid}"
  done
}

fleet_runner_is_ready() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(fleet_runner_port "$1")/health" 2>/dev/null
}

fleet_is_ready() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(fleet_port "$1")/q/health/ready" 2>/dev/null
}

# --- Monitoring: Prometheus and Alertmanager (Debian's prometheus, prometheus-alertmanager) ---
# Their ports: base port + 10 and + 13 (8090, 8093), as the services follow the base port.
FLEET_LOCAL_PROMETHEUS_PORT=${FLEET_LOCAL_PROMETHEUS_PORT:-$((FLEET_LOCAL_BASE_PORT + 10))}
FLEET_LOCAL_ALERTMANAGER_PORT=${FLEET_LOCAL_ALERTMANAGER_PORT:-$((FLEET_LOCAL_BASE_PORT + 13))}

# Makes sure promtool, prometheus, prometheus-alertmanager and jq (the dashboard check reads JSON with
# it) are here. With --install (CI), installs Debian's packages when one is missing; otherwise says how.
fleet_ensure_prometheus() {
  local install=${1:-} tool missing=()
  for tool in promtool prometheus prometheus-alertmanager amtool jq; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  (( ${#missing[@]} )) || return 0
  [[ $install == --install ]] || fleet_die "Missing ${missing[*]} (Prometheus' rule tests and the dashboard check need them).
Install them:  sudo apt-get install -y --no-install-recommends prometheus prometheus-alertmanager jq   (Debian/Ubuntu)"
  fleet_say "Installing Prometheus, Alertmanager and jq from the distribution's packages ..."
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  # Debian's packages start their services where systemd runs; the local stack runs its own.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    prometheus prometheus-alertmanager jq >/dev/null
}

# Makes sure Node.js and npm are here (the offline Kubernetes schema check runs on them). With
# --install (CI), installs Debian's packages when missing; otherwise says how.
fleet_ensure_node() {
  local install=${1:-}
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  [[ $install == --install ]] || fleet_die "Missing node or npm (deploy/k8s-validate/check needs them).
Install them:  sudo apt-get install -y --no-install-recommends nodejs npm   (Debian/Ubuntu)"
  fleet_say "Installing Node.js and npm from the distribution's packages ..."
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
}

# Makes sure podman, buildah, debootstrap and runc are here (deploy/images/build needs them) and that
# /etc/containers/containers.conf has what these VMs need. With --install, installs Debian's packages
# when one is missing; otherwise says how.
fleet_ensure_podman() {
  local install=${1:-} tool missing=()
  for tool in podman buildah debootstrap runc; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  local sudo=""; [[ $(id -u) -eq 0 ]] || sudo=sudo
  if (( ${#missing[@]} )); then
    [[ $install == --install ]] || fleet_die "Missing ${missing[*]} (deploy/images/build needs them).
Install them:  sudo apt-get install -y podman buildah debootstrap runc   (Debian/Ubuntu; or FLEET_INSTALL_PODMAN=1)"
    fleet_say "Installing podman, buildah, debootstrap and runc from the distribution's packages ..."
    # A fresh machine may have no package lists yet.
    compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null || $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq podman buildah debootstrap runc >/dev/null \
      || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq podman buildah debootstrap runc >/dev/null; } \
      || fleet_die "apt-get could not install podman buildah debootstrap runc"
  fi
  # crun refuses the hybrid cgroup layout on these VMs; the VM may not let a container raise its limits.
  _fleet_conf_ensure /etc/containers/containers.conf engine runtime '"runc"'
  _fleet_conf_ensure /etc/containers/containers.conf containers default_ulimits '["nofile=20000:20000", "nproc=32768:32768"]'
}

# Sets key = value in [section] of TOML file $1 unless that key is already set there; keeps the rest.
_fleet_conf_ensure() {
  local file=$1 section=$2 key=$3 value=$4 sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  local scan='/^[[:space:]]*\[/ { h = $0; sub(/#.*/, "", h); gsub(/[[:space:]]/, "", h); in_s = (h == "[" s "]") }'
  if [[ -f $file ]] && awk -v s="$section" -v k="$key" "$scan"'
      in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { found = 1 }
      END { exit !found }' "$file"; then
    return 0
  fi
  fleet_say "Setting $key = $value in [$section] of $file"
  local new
  if [[ -f $file ]] && awk -v s="$section" "$scan"' in_s { found = 1 } END { exit !found }' "$file"; then
    # Right below the section's first header, so it lands in that section whatever follows.
    new=$(awk -v s="$section" -v line="$key = $value" "$scan"'
      { print } in_s && !done && /^[[:space:]]*\[/ { print line; done = 1 }' "$file")
  else
    new=$(if [[ -f $file ]]; then cat "$file"; else echo "# Created by fleet_ensure_podman (deploy/local/lib.sh); edit freely."; fi
      printf '\n[%s]\n%s = %s\n' "$section" "$key" "$value")
  fi
  $sudo mkdir -p "$(dirname "$file")"
  printf '%s\n' "$new" | $sudo tee "$file" >/dev/null
}

# Writes a Prometheus config for this stack to $1: the five services (label service=<name>) every 5 s,
# the rules of deploy/prometheus/rules, alerts to the local Alertmanager.
fleet_write_prometheus_config() {
  local out=$1 service
  {
    printf '# Written by deploy/local/up for the stack on base port %s; not for editing.\n' "$FLEET_LOCAL_BASE_PORT"
    printf 'global:\n  scrape_interval: 5s\n  evaluation_interval: 15s\n'
    printf 'rule_files:\n  - %s/deploy/prometheus/rules/*.yml\n' "$FLEET_ROOT"
    printf 'alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ["127.0.0.1:%s"]\n' "$FLEET_LOCAL_ALERTMANAGER_PORT"
    printf 'scrape_configs:\n  - job_name: fleet\n    metrics_path: /q/metrics\n    static_configs:\n'
    for service in "${FLEET_SERVICES[@]}"; do
      printf '      - targets: ["127.0.0.1:%s"]\n        labels: {service: %s}\n' "$(fleet_port "$service")" "$service"
    done
  } >"$out"
}

# PID of the Prometheus / Alertmanager deploy/local/up started ($1 = prometheus | alertmanager), if it still runs.
fleet_monitor_pid() {
  local pidfile=$FLEET_LOCAL_RUN_DIR/pids/$1.pid pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$FLEET_LOCAL_RUN_DIR/$1" || return 1
  echo "$pid"
}

fleet_monitor_is_ready() {
  local port=$FLEET_LOCAL_PROMETHEUS_PORT
  [[ $1 == alertmanager ]] && port=$FLEET_LOCAL_ALERTMANAGER_PORT
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/-/ready" 2>/dev/null
}
