#!/usr/bin/env bash
# One command: set up and run the whole test suite (SQLite; PostgreSQL and Redis too
# when CMR_TEST_DATABASE_URL / CMR_TEST_REDIS_URL are set). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
