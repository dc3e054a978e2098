#!/usr/bin/env bash
# Production: the RQ workers beside the web (README "Production"), with the same CMR_*
# environment (CMR_REDIS_URL set). Two processes:
#   - `cmr`, what is owed (e-mails, invoices, exports), at a lower CPU priority
#     (WORKER_NICE, default 10; 0 for none);
#   - `cmr-low`, PDFs rendered ahead of their first download, which only gets the CPU no
#     other task wants (Linux SCHED_IDLE; nice 19 where chrt cannot set it): rendering
#     ahead never slows a request on the same node, and never holds back an e-mail.
# One ending (a crash) ends the other, so that a supervisor restarts both; with --burst
# each ends when its queue is empty. Extra arguments go to both (./worker.sh --burst).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/rq ] || scripts/bootstrap.sh
if [ -z "${CMR_REDIS_URL:-}" ]; then
  echo "worker.sh: CMR_REDIS_URL is not set; without Redis the app runs its jobs itself." >&2
  exit 2
fi
rq=(.venv/bin/rq worker -u "$CMR_REDIS_URL" -w rq.worker.SimpleWorker)
idle=(nice -n 19)
if chrt --idle 0 true 2>/dev/null; then
  idle=(chrt --idle 0)
fi
nice -n "${WORKER_NICE:-10}" "${rq[@]}" "$@" cmr &
owed=$!
"${idle[@]}" "${rq[@]}" "$@" cmr-low &
low=$!
trap 'kill -TERM "$owed" "$low" 2>/dev/null || true' TERM INT
status=0
if [[ " $* " == *" --burst "* ]]; then
  wait "$owed" || status=$?
  wait "$low" || status=$?
else
  wait -n "$owed" "$low" || status=$?
  kill -TERM "$owed" "$low" 2>/dev/null || true
  wait "$owed" "$low" || true
fi
exit "$status"
