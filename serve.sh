#!/usr/bin/env bash
# Production: the app under gunicorn (README "Production"). Same CMR_* environment as
# every other node, the worker and the daily cron. Settings (environment):
#   BIND=0.0.0.0:8000  WEB_CONCURRENCY=<workers, default 2 per core + 1>  TIMEOUT=60
#   FORWARDED_ALLOW_IPS=<the proxy's address, default 127.0.0.1>
# Extra arguments go to gunicorn (./serve.sh --threads 4).
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/gunicorn ] || scripts/bootstrap.sh  # a deploy runs it once; not at every start
if [ -z "${CMR_SECRET_KEY:-}" ]; then
  echo "serve.sh: CMR_SECRET_KEY is not set; sessions are signed with instance/secret_key," \
       "which a second node would not share." >&2
fi
cores=$(nproc 2>/dev/null || echo 1)
exec .venv/bin/gunicorn "cmr_app:create_app()" \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_CONCURRENCY:-$((2 * cores + 1))}" \
  --timeout "${TIMEOUT:-60}" --graceful-timeout 30 --keep-alive 5 \
  --max-requests 50000 --max-requests-jitter 5000 \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --access-logfile - --error-logfile - \
  "$@"
