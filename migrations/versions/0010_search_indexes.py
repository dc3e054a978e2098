"""search that does not scan: trigram indexes on search texts, the goods in documents' texts

PostgreSQL: pg_trgm (and btree_gin, for the company id in the same index) GIN indexes on
(company_id, search_text) of documents, clients, carriers and products, which answer
`LIKE '%word%'`. SQLite: a trigram FTS5 table beside each (external content, kept by
triggers). A later migration that rebuilds one of these tables on SQLite (a batch
"move and copy") drops its triggers and must create them again (see _sqlite_index).

Every document's search text is rebuilt: the goods' nature, marks and packing are now in
it; a withdrawn document's is only its number.

Revision ID: 0010
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('documents', 'clients', 'carriers', 'products')


def _fold(*parts):
    return " ".join(str(p) for p in parts if p).casefold()


def _document_text(number, data):
    # Frozen copy of services/search.document_search_text: a migration must not change
    # meaning when the application code moves on.
    data = data or {}
    parties = [data.get(p) or {} for p in ("sender", "consignee", "carrier")]
    goods = [line for line in data.get("goods") or () if isinstance(line, dict)]
    return _fold(
        number, *(party.get(k) for party in parties for k in ("name", "city", "country")),
        (data.get("carrier") or {}).get("vehicle_registration"),
        *((data.get(p) or {}).get(k) for p in ("place_of_delivery", "taking_over") for k in ("city", "country")),
        (data.get("established") or {}).get("place"),
        *(line.get(k) for line in goods for k in ("nature", "marks", "packing")))


def _rebuild_document_texts(conn):
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('number', sa.String),
                         sa.column('data', sa.JSON), sa.column('withdrawn_at', sa.DateTime),
                         sa.column('search_text', sa.Text))
    last = 0
    while True:
        rows = conn.execute(sa.select(documents.c.id, documents.c.number, documents.c.data,
                                      documents.c.withdrawn_at)
                            .where(documents.c.id > last).order_by(documents.c.id).limit(2000)).all()
        if not rows:
            return
        conn.execute(documents.update().where(documents.c.id == sa.bindparam('doc_id'))
                     .values(search_text=sa.bindparam('text')),
                     [{'doc_id': r.id, 'text': _document_text(r.number, {} if r.withdrawn_at else r.data)}
                      for r in rows])
        last = rows[-1].id


def _sqlite_index(table):
    fts = f'{table}_fts'
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
               f"tokenize='trigram')")
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
               f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade():
    conn = op.get_bind()
    _rebuild_document_texts(conn)
    if conn.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')
        for table in TABLES:
            op.execute(f'CREATE INDEX ix_{table}_search_trgm ON {table} '
                       f'USING gin (company_id, search_text gin_trgm_ops)')
    else:
        for table in TABLES:
            _sqlite_index(table)


def downgrade():
    conn = op.get_bind()
    for table in TABLES:
        if conn.dialect.name == 'postgresql':
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_search_trgm')
        else:
            for suffix in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER IF EXISTS {table}_fts_{suffix}')
            op.execute(f'DROP TABLE IF EXISTS {table}_fts')
