#!/usr/bin/env bash
# Copies the Kubernetes manifests that quarkus-kubernetes writes at package time
# (<module>/target/kubernetes/kubernetes.yml) to deploy/k8s/<module>.yml, with a
# "do not edit" banner. The output is meant to be committed and checked with
# deploy/verify-generated.sh.
#
# Usage: deploy/generate-k8s.sh [--build] [--out DIR]
#   --build    run ./mvnw -B -q package -DskipTests first (needs JAVA_HOME = JDK 21+);
#              without it the modules must already be packaged.
#   --out DIR  write into DIR instead of deploy/k8s (used by verify-generated.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULES=(gateway-service queue-service session-service scaler-service telemetry-service)
OUT="$ROOT/deploy/k8s"
BUILD=false

usage() { sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
die() { echo "generate-k8s: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD=true; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#--out=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

if $BUILD; then
  [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] \
    || die "--build needs JAVA_HOME pointing at a JDK 21+ (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)"
  java_major="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')"
  [[ -n "$java_major" && "$java_major" -ge 21 ]] \
    || die "JAVA_HOME=$JAVA_HOME is Java ${java_major:-unknown}; a JDK 21+ is required"
  echo "generate-k8s: building (./mvnw -B -q package -DskipTests, Java $java_major)" >&2
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

missing=()
for m in "${MODULES[@]}"; do
  [[ -f "$ROOT/$m/target/kubernetes/kubernetes.yml" ]] || missing+=("$m")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "no target/kubernetes/kubernetes.yml for: ${missing[*]}
  Package the modules first, e.g.:
    export JAVA_HOME=/path/to/jdk-21+; ./mvnw -B -q package -DskipTests
  or run: deploy/generate-k8s.sh --build"
fi

# quarkus-kubernetes (dekorate) applies same-kind decorators in hash order, so the keys of label
# selectors, pod template labels etc. come out in a different order from build to build
# (quarkusio/quarkus#39167, no config switch). Sort the keys of every flat mapping (a block whose
# children are all single-line "key: value" scalars); key order has no meaning in YAML.
# Lists and nested mappings are left as they are.
sort_flat_mappings() {
  LC_ALL=C awk '
    function indent(s) { match(s, /^ */); return RLENGTH }
    { line[++n] = $0 }
    END {
      i = 1
      while (i <= n) {
        print line[i]
        if (line[i] !~ /^ *(- )?[^ #][^:]*:$/ || i == n) { i++; continue }
        c = indent(line[i + 1]); j = i + 1; flat = (c > indent(line[i])); k = 0
        while (j <= n && indent(line[j]) >= c && line[j] !~ /^ *$/) {
          if (indent(line[j]) != c || line[j] ~ /^ *- / || line[j] !~ /^ *[^ #][^:]*: [^|>]/) flat = 0
          blk[++k] = line[j]; j++
        }
        if (!flat || k < 2) { i++; continue }
        for (a = 2; a <= k; a++) {            # insertion sort by key
          v = blk[a]; kv = substr(v, 1, index(v, ":"))
          for (b = a - 1; b >= 1 && substr(blk[b], 1, index(blk[b], ":")) > kv; b--) blk[b + 1] = blk[b]
          blk[b + 1] = v
        }
        for (a = 1; a <= k; a++) print blk[a]
        i = j
      }
    }'
}

# The same race decides the order of a container's or Service's ports when a module adds one of its
# own (the gateway's proxy port beside http): a build step's port may land first or second. Sort the
# items of every "ports:" list by their "name:" (unnamed items keep their place at the end); port
# order has no meaning to Kubernetes.
sort_port_lists() {
  LC_ALL=C awk '
    function indent(s) { match(s, /^ */); return RLENGTH }
    function item_name(t,   v) {
      if (!match(t, /(^|\n) *(- )?name: [^\n]*/)) return "~"
      v = substr(t, RSTART, RLENGTH); sub(/^\n? *(- )?name: /, "", v); return v
    }
    { line[++n] = $0 }
    END {
      i = 1
      while (i <= n) {
        print line[i]
        if (line[i] !~ /^ *ports:$/ || i == n) { i++; continue }
        p = indent(line[i]); j = i + 1; k = 0
        while (j <= n && indent(line[j]) > p && line[j] !~ /^ *$/) {
          if (line[j] ~ /^ *- / && indent(line[j]) == indent(line[i + 1])) item[++k] = line[j]
          else item[k] = item[k] "\n" line[j]
          j++
        }
        for (a = 2; a <= k; a++) {            # insertion sort by the name line
          v = item[a]; kv = item_name(v)
          for (b = a - 1; b >= 1 && item_name(item[b]) > kv; b--) item[b + 1] = item[b]
          item[b + 1] = v
        }
        for (a = 1; a <= k; a++) print item[a]
        i = j
      }
    }'
}

mkdir -p "$OUT"
for m in "${MODULES[@]}"; do
  src="$ROOT/$m/target/kubernetes/kubernetes.yml"
  # Warn (do not fail) when the manifest predates the config it is generated from.
  newer="$(find "$ROOT/$m/src/main/resources/application.properties" "$ROOT/$m/src/main/kubernetes" \
      "$ROOT/$m/pom.xml" "$ROOT/platform/src/main/resources/META-INF/microprofile-config.properties" \
      -newer "$src" -type f -print -quit 2>/dev/null || true)"
  [[ -z "$newer" ]] || echo "generate-k8s: warning: $m/target/kubernetes/kubernetes.yml is older than ${newer#"$ROOT"/}; re-package $m" >&2
  {
    cat <<BANNER
# GENERATED by deploy/generate-k8s.sh from the quarkus-kubernetes output of $m
# ($m/target/kubernetes/kubernetes.yml). DO NOT EDIT BY HAND: change the quarkus.kubernetes.*
# config in $m/src/main/resources/application.properties or
# platform/src/main/resources/META-INF/microprofile-config.properties (or add
# $m/src/main/kubernetes/kubernetes.yml), re-package and run deploy/generate-k8s.sh.
# Only change from the Quarkus output: keys of flat mappings (labels, selectors, ...) are sorted.
BANNER
    sort_flat_mappings < "$src" | sort_port_lists
  } > "$OUT/$m.yml.tmp"
  mv "$OUT/$m.yml.tmp" "$OUT/$m.yml"
  echo "generate-k8s: wrote ${OUT#"$ROOT"/}/$m.yml" >&2
done
