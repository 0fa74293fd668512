#!/usr/bin/env bash
# Checks that deploy/k8s/*.yml match what deploy/generate-k8s.sh produces from the current
# target/kubernetes output. Assumes the modules are already packaged (it does not build).
# Exits 1 and names the drifted files when they differ.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$ROOT/deploy/generate-k8s.sh" --out "$TMP/k8s" 2>"$TMP/generate.log" || {
  cat "$TMP/generate.log" >&2
  exit 1
}
grep -v ': wrote ' "$TMP/generate.log" >&2 || true

drifted=()
for f in "$TMP"/k8s/*.yml; do
  name="$(basename "$f")"
  if ! diff -u "$ROOT/deploy/k8s/$name" "$f" --label "deploy/k8s/$name" --label "generated/$name" \
      >"$TMP/$name.diff" 2>&1; then
    drifted+=("deploy/k8s/$name")
    cat "$TMP/$name.diff" >&2
  fi
done
# Files in deploy/k8s that the generator no longer produces.
shopt -s nullglob
for f in "$ROOT"/deploy/k8s/*.yml; do
  [[ -f "$TMP/k8s/$(basename "$f")" ]] || drifted+=("deploy/k8s/$(basename "$f") (not generated any more)")
done

if [[ ${#drifted[@]} -gt 0 ]]; then
  {
    echo
    echo "verify-generated: generated Kubernetes manifests are out of date:"
    printf '  %s\n' "${drifted[@]}"
    echo "Fix: package the modules and regenerate, then commit deploy/k8s/:"
    echo "  deploy/generate-k8s.sh --build    (or: ./mvnw -B -q package -DskipTests && deploy/generate-k8s.sh)"
  } >&2
  exit 1
fi
echo "verify-generated: deploy/k8s/ is up to date"
