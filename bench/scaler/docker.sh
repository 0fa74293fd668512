#!/usr/bin/env bash
# The scaler's docker backend, the way a user meets it: queue-, session- and scaler-service
# (packaged jars), a Podman service (the Docker Engine API), and a pool of the docker backend with
# the reference runner's image (deploy/images/build fleet-runner), min 0, max 1, queue target 1 job
# per instance, no cooldowns. N times (plus warm-up): enqueue one 10 ms sleep job → the runner
# container is running (the daemon lists it) → its runner is registered in session-service → the
# job has succeeded; then the queue is empty, the scaler stops the container, and the next round
# starts once it is gone. Every time is measured from just before the enqueue is sent, by polling
# every 20 ms (the podman socket with curl, session- and queue-service's REST API).
# Target (issue 18): enqueue → runner container running and registered in under 3 s.
#
# Usage: bench/scaler/docker.sh [--quick]     (about 2 minutes; --quick: 3 rounds)
# Environment: JAVA_HOME [Temurin 25, else a JDK 21+]  SCD_N [10|3]  SCD_WARMUP [1]
#   SCD_BASE_PORT [18481]: queue-service on it, session-service +1, scaler-service +2; runner ports 18490-18499
#   FLEET_BENCH_DB [fleet_bench_docker]  (created when missing; the services migrate their schemas)
# Needs podman (deploy/local/lib.sh fleet_ensure_podman), curl, jq, PostgreSQL at 127.0.0.1:5432.
# Bounded by counts and deadlines; stops by PID what it started and removes its containers.
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/bench/.out
mkdir -p "$OUT"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_start "$@"
need_commands curl:curl jq:jq psql:postgresql-client
fleet_ensure_podman

DB=${FLEET_BENCH_DB:-fleet_bench_docker}
N=${SCD_N:-$(q 10 3)}
WARMUP=${SCD_WARMUP:-1}
BASE=${SCD_BASE_PORT:-18481}
QUEUE_URL=http://127.0.0.1:$BASE SESSION_URL=http://127.0.0.1:$((BASE + 1)) SCALER_URL=http://127.0.0.1:$((BASE + 2))
READY_TIMEOUT_S=120
ADMIN=bench-admin-$(rand) RUNNER=bench-runner-$(rand) CLIENT=bench-client-$(rand)
SCOPE=fleet-bench-docker POOL=bench-docker
SOCKET=$OUT/podman-bench.sock
IMAGE=$(fleet_image fleet-runner)
RESULTS=$OUT/scaler-docker-results.md

fleet_ensure_database "$DB"
podman image exists "$IMAGE" || "$ROOT/deploy/images/build" fleet-runner >&2

pids=()
bench_on_exit() {
  local pid
  for (( i = ${#pids[@]} - 1; i >= 0; i-- )); do stop_pid "${pids[$i]}"; done
  podman ps -aq --filter "label=dev.fleet.managed-by=$SCOPE" | xargs -r podman rm -f -t 2 >/dev/null 2>&1 || true
  rm -f "$SOCKET"
}
start() {   # start NAME PORT LOG JAR [JVM OPTIONS...]
  local name=$1 port=$2 log=$3 jar=$4
  shift 4
  FLEET_DB_HOST=127.0.0.1 FLEET_DB_PORT=$FLEET_DB_PORT FLEET_DB_NAME=$DB FLEET_DB_USER=$FLEET_DB_USER \
    FLEET_DB_PASSWORD=$FLEET_DB_PASSWORD FLEET_AUTH_ADMIN_TOKENS=$ADMIN FLEET_AUTH_RUNNER_TOKENS=$RUNNER \
    FLEET_AUTH_CLIENT_TOKENS=$CLIENT "$JAVA" -Xmx512m -Dquarkus.http.port="$port" "$@" -jar "$jar" \
    >"$log" 2>&1 </dev/null &
  pids+=("$!")
  await_up "http://127.0.0.1:$port" "$name" "$!" "$log"
}

rm -f "$SOCKET"
podman system service --time=0 "unix://$SOCKET" >"$OUT/podman-bench-service.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 300); do [[ -S $SOCKET ]] && break; sleep 0.1; done
[[ -S $SOCKET ]] || die "podman system service did not open $SOCKET"
start queue-service "$BASE" "$OUT/scaler-docker-queue.log" "$ROOT/queue-service/target/quarkus-app/quarkus-run.jar"
start session-service $((BASE + 1)) "$OUT/scaler-docker-session.log" "$ROOT/session-service/target/quarkus-app/quarkus-run.jar" \
  -Dfleet.session.runners.overload-cpu-percent=101
start scaler-service $((BASE + 2)) "$OUT/scaler-docker-scaler.log" "$ROOT/scaler-service/target/quarkus-app/quarkus-run.jar" \
  -Dfleet.scaler.queue-url="$QUEUE_URL" -Dfleet.scaler.session-url="$SESSION_URL" -Dfleet.scaler.token="$ADMIN" \
  -Dfleet.scaler.evaluation-interval=1s -Dfleet.scaler.docker.host="unix://$SOCKET" \
  -Dfleet.scaler.docker.scope="$SCOPE" -Dfleet.scaler.docker.runner-token="$RUNNER" -Dfleet.scaler.docker.ports=18490-18499
for _ in $(seq 1 150); do
  curl -fs "$SCALER_URL/q/metrics" | grep -q '^fleet_scaler_leader .* 1.0$\|^fleet_scaler_leader 1.0$' && break
  sleep 0.2
done

limits='{"maxInstances": 1000, "per": "1s"}'
spec=$(jq -n --arg image "$IMAGE" --arg q "$QUEUE_URL" --arg s "$SESSION_URL" --argjson limits "$limits" '{
  minInstances: 0, maxInstances: 1,
  backend: {kind: "docker", settings: {image: $image, "env.FLEET_QUEUE_URL": $q, "env.FLEET_SESSION_URL": $s,
    "env.FLEET_TELEMETRY_URL": "none", "env.FLEET_RUNNER_GRACE": "2s", "env.FLEET_RUNNER_CLAIM_WAIT": "1s",
    "env.JAVA_TOOL_OPTIONS": "-XX:+UseSerialGC -Xmx128m", grace: "10s"}},
  policy: {rules: [], queueTarget: {jobsPerInstance: 1}, scaleOutCooldown: "0s", scaleInCooldown: "0s",
    scaleInStabilisation: "0s", maxScaleOut: $limits, maxScaleIn: $limits}}')
code=$(curl -s -o "$OUT/scaler-docker-pool.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d "$spec" "$SCALER_URL/pools/$POOL")
[[ $code == 20[01] ]] || die "PUT /pools/$POOL answered $code: $(cat "$OUT/scaler-docker-pool.json")"

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
# Whether a runner container of the pool runs; a failed listing is asked again, never read as "none".
running() {
  local listed
  until listed=$(curl -fs --max-time 5 --unix-socket "$SOCKET" -G \
      --data-urlencode "filters={\"label\":[\"dev.fleet.managed-by=$SCOPE\"]}" http://d/v1.41/containers/json); do
    sleep 0.05
  done
  jq -e 'length > 0' >/dev/null <<<"$listed"
}
# The scaler's record of the pool: no instance, and no backend call still running.
scaled_in() { curl -fs -H "Authorization: Bearer $ADMIN" "$SCALER_URL/pools/$POOL/events?limit=1" \
  | jq -e '.events[0].kind == "scale-in" and .events[0].outcome == "ok"' >/dev/null; }
registered() { curl -fs -H "Authorization: Bearer $CLIENT" "$SESSION_URL/runners?pool=$POOL" \
  | jq -e '[.runners[] | select(.health != "gone")] | length > 0' >/dev/null; }
succeeded() { curl -fs -H "Authorization: Bearer $CLIENT" "$QUEUE_URL/jobs/$1" | jq -e '.state == "succeeded"' >/dev/null; }

declare -a t_run t_reg t_job
for (( round = 1; round <= WARMUP + N; round++ )); do
  deadline=$(( $(date +%s) + 60 ))
  while (( round > 1 )) && { running || ! scaled_in; }; do
    (( $(date +%s) < deadline )) || die "the previous round's container is still there after 60 s"
    sleep 0.2
  done
  start_ms=$(now_ms)
  id=$(curl -fsS -H "Authorization: Bearer $CLIENT" -H 'Content-Type: application/json' \
    -d '{"kind":"sleep","payload":{"ms":10}}' "$QUEUE_URL/queues/$POOL/jobs" | jq -r .id)
  run=0 reg=0 job=0 deadline=$(( $(date +%s) + 60 ))
  while (( job == 0 )); do
    (( $(date +%s) < deadline )) || die "round $round: job $id not done within 60 s (running $run, registered $reg)"
    (( run )) || ! running || run=$(( $(now_ms) - start_ms ))
    (( ! run || reg )) || ! registered || reg=$(( $(now_ms) - start_ms ))
    (( ! reg )) || ! succeeded "$id" || job=$(( $(now_ms) - start_ms ))
    sleep 0.02
  done
  say "round $round: running $run ms, registered $reg ms, job done $job ms"
  (( round <= WARMUP )) || { t_run+=("$run"); t_reg+=("$reg"); t_job+=("$job"); }
done

pct() {  # pct P VALUES...: nearest rank
  local p=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v p="$p" '{v[NR] = $1} END {r = int((p * NR + 99) / 100); if (r < 1) r = 1; print v[r]}'
}
{
  echo "| enqueue → (n = $N) | p50 | max |"
  echo "|---|---:|---:|"
  echo "| runner container running | $(pct 50 "${t_run[@]}") ms | $(pct 100 "${t_run[@]}") ms |"
  echo "| runner registered in session-service | $(pct 50 "${t_reg[@]}") ms | $(pct 100 "${t_reg[@]}") ms |"
  echo "| job succeeded | $(pct 50 "${t_job[@]}") ms | $(pct 100 "${t_job[@]}") ms |"
  echo
  echo "target: registered under 3 s: $(verdict "$(pct 100 "${t_reg[@]}")" "<" 3000) (max)"
} | tee "$RESULTS"
