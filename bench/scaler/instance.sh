#!/usr/bin/env bash
# One "instance" of the scaler benchmark's process-backend pools (bench/scaler/run.sh): appends
# "<pid> <epoch seconds.microseconds>" to STAMP_FILE the moment it runs (bash's $EPOCHREALTIME, no
# fork), then becomes a sleep that lasts 10 minutes at most. With "ignore-term" it ignores SIGTERM
# (the ignore survives the exec), so a scale-in waits out the pool's whole grace before its SIGKILL.
# The process name "scaler-bench-instance" (argv[0]) lets run.sh's cleanup find exactly these.
# Usage: instance.sh STAMP_FILE [ignore-term]
LC_ALL=C
echo "$$ $EPOCHREALTIME" >>"$1"
[[ ${2:-} != ignore-term ]] || trap '' TERM
exec -a scaler-bench-instance sleep 600
