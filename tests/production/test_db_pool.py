"""The database pool checks a connection before a request uses it, so a database
restarted (every connection cut), even a moment after the last request, costs no
request an error."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CMR_TEST_DATABASE_URL)")
def test_connections_cut_while_idle_are_replaced_before_a_request_uses_them(api, database_url):
    assert api.get("/documents").status_code == 200  # a connection now waits in the pool
    engine = create_engine(database_url)
    with engine.begin() as conn:  # as a restart would: every other connection to the database cut
        cut = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    assert cut >= 1
    assert api.get("/documents").status_code == 200
