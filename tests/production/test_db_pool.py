"""The database pool finds a connection the server closed before a request uses it, so
a database restarted (every connection cut), even a moment after the last request,
costs no request an error; and it finds that without a round trip to the server."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, sample_document

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CMR_TEST_DATABASE_URL)")


def cut_every_connection(database_url) -> int:
    """As a restart does: every other connection to the database closed by the server.
    pg_terminate_backend with a timeout returns once each backend has exited (a restart
    takes new connections only after that)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        cut = conn.execute(text("SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    return cut


def test_connections_cut_while_idle_are_replaced_before_a_request_uses_them(api, database_url):
    assert api.get("/documents").status_code == 200  # a connection now waits in the pool
    assert cut_every_connection(database_url) >= 1
    assert api.get("/documents").status_code == 200
    # The PDF download, whose query runs outside a transaction, the same way.
    doc = api.post("/documents", json=sample_document()).get_json()
    assert api.get(f"/documents/{doc['id']}/pdf").status_code == 200
    assert cut_every_connection(database_url) >= 1
    answer = api.get(f"/documents/{doc['id']}/pdf")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")


def test_a_closed_connection_is_told_from_an_open_one_without_a_round_trip(app, api, database_url):
    from cmr_app import connection_closed
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT 1")
        sent = conn.pgconn.socket
        assert not connection_closed(conn)  # idle and open: nothing to read
        assert cut_every_connection(database_url) >= 1
        assert connection_closed(conn)  # the server's reason and its hang-up wait on the socket
        assert conn.pgconn.socket == sent  # told by looking, not by sending anything
    with psycopg.connect(url) as conn:
        conn.close()
        assert connection_closed(conn)


def test_a_checkout_sends_nothing_to_the_server(app, api):
    """No pool_pre_ping (psycopg's ping is the empty statement ";"): what reaches the
    server is the request's own statements and nothing else."""
    from sqlalchemy import event

    from cmr_app.extensions import autocommit_engine, db
    assert api.get("/documents").status_code == 200  # a connection waits in the pool
    doc = api.post("/documents", json=sample_document()).get_json()
    pdf = f"/documents/{doc['id']}/pdf"
    assert api.get(pdf).status_code == 200  # rendered; the download's own engine has a connection
    statements, on_the_wire = [], []
    original = psycopg.Cursor.execute

    def execute(self, query, *args, **kwargs):  # below SQLAlchemy: a ping shows here only
        on_the_wire.append(str(query))
        return original(self, query, *args, **kwargs)

    def before(conn, cursor, statement, *args):
        statements.append(statement)
    with app.app_context():
        engines = [db.engine, autocommit_engine()]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
    psycopg.Cursor.execute = execute
    try:
        assert api.get("/documents").status_code == 200
        assert api.get(pdf).status_code == 200  # from the cache: the token query alone
    finally:
        psycopg.Cursor.execute = original
        for engine in engines:
            event.remove(engine, "before_cursor_execute", before)
    assert len(statements) >= 2 and on_the_wire == statements
