#!/usr/bin/env bash
# Production: the RQ worker beside the web (README "Production"), with the same CMR_*
# environment (CMR_REDIS_URL set). It takes `cmr` first (e-mails, invoices, exports),
# then `cmr-low` (PDFs rendered ahead of their first download). It runs at a lower CPU
# priority (WORKER_NICE, default 10; 0 for none): on a node that also serves the web,
# rendering ahead yields the processor to requests and catches up when they ease.
# Extra arguments go to rq (./worker.sh --burst).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/rq ] || scripts/bootstrap.sh
if [ -z "${CMR_REDIS_URL:-}" ]; then
  echo "worker.sh: CMR_REDIS_URL is not set; without Redis the app runs its jobs itself." >&2
  exit 2
fi
exec nice -n "${WORKER_NICE:-10}" .venv/bin/rq worker -u "$CMR_REDIS_URL" -w rq.worker.SimpleWorker "$@" cmr cmr-low
