#!/usr/bin/env bash
# A busy loop on N cores, to run tests on a loaded machine (issue: tests that hold on a busy machine).
#   tools/cpu-hog.sh start [N]   start N busy loops (default: every core), pids in $HOG_PIDFILE
#   tools/cpu-hog.sh stop        stop exactly the loops this script started
#   tools/cpu-hog.sh run [N] -- CMD...   run CMD under the load, stop the loops afterwards (exit code of CMD)
# Example: tools/cpu-hog.sh run 2 -- npx jest libs/platform/persistence
set -euo pipefail
PIDFILE="${HOG_PIDFILE:-${TMPDIR:-/tmp}/klaxon-cpu-hog.pids}"

start() {
  local n="${1:-$(nproc)}"
  if [[ -s "$PIDFILE" ]]; then echo "cpu-hog: already running ($PIDFILE)" >&2; exit 1; fi
  for ((i = 0; i < n; i++)); do
    # A subshell spinning on a builtin: no child processes, killed cleanly by its pid.
    ( trap 'exit 0' TERM; while :; do :; done ) &
    echo $! >>"$PIDFILE"
  done
  echo "cpu-hog: $n busy loop(s) started"
}

stop() {
  [[ -f "$PIDFILE" ]] || { echo "cpu-hog: not running"; return 0; }
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$PIDFILE"
  while read -r pid; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done <"$PIDFILE"
  rm -f "$PIDFILE"
  echo "cpu-hog: stopped"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  run)
    shift
    n=""
    if [[ "${1:-}" != "--" ]]; then n="$1"; shift; fi
    [[ "${1:-}" == "--" ]] && shift
    start "$n"
    trap stop EXIT INT TERM
    set +e
    "$@"
    code=$?
    exit "$code"
    ;;
  *) sed -n '2,6p' "$0"; exit 2 ;;
esac
