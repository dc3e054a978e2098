#!/usr/bin/env bash
# One command: set up, migrate, load the plans, create the demo account and serve on
# http://127.0.0.1:5000 (HOST and PORT change it) with SQLite (no Redis needed).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
export FLASK_APP=cmr_app
# Links in QR codes and e-mails point where this server listens unless set (run.py too).
if [ -z "${CMR_BASE_URL:-}" ]; then
  host=${HOST:-127.0.0.1}; [ "$host" = "0.0.0.0" ] && host=127.0.0.1
  export CMR_BASE_URL="http://$host:${PORT:-5000}"
fi
.venv/bin/flask db upgrade
.venv/bin/flask plans sync
.venv/bin/flask accounts demo
# The local fake payment provider (its checkout page and signed callback) is for
# development only; production leaves CMR_PAYMENT_PROVIDER unset (bank transfer).
export CMR_PAYMENT_PROVIDER="${CMR_PAYMENT_PROVIDER-fake}"
exec .venv/bin/python run.py
