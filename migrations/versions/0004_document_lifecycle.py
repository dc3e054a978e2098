"""document lifecycle: versions, the hash-chained events, public page views

Documents issued before this change get version 1 (their current content and check
code) and an `issued` event; those marked cancelled by hand also get a `cancelled` event.
The old per-save revision rows (times and check codes, no content) are dropped.

Revision ID: 0004
Revises: 0003
"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _aware(value):
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _event(seq, type_, at, version, fingerprint, by, prev_hash, reason=None):
    # Frozen copy of the rule in ECMR.md §4 (cmr_app/services/record.py): a migration
    # must not change meaning when the application code moves on.
    body = {"seq": seq, "type": type_, "at": at.isoformat(timespec="milliseconds"), "version": version,
            "fingerprint": fingerprint, "by": by, "role": None, "signer_name": None,
            "captured_at": None, "position": None, "reservations": [], "photos": [],
            "reason": reason, "prev_hash": prev_hash}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text, hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=12), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'version')
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index('ix_document_versions_document_id', ['document_id'], unique=False)
        batch_op.create_index('ix_document_versions_fingerprint', ['fingerprint'], unique=False)

    op.create_table('document_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'seq')
    )
    with op.batch_alter_table('document_events', schema=None) as batch_op:
        batch_op.create_index('ix_document_events_company_id', ['company_id'], unique=False)
        batch_op.create_index('ix_document_events_document_id', ['document_id'], unique=False)

    op.create_table('public_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('page', sa.String(length=20), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('public_views', schema=None) as batch_op:
        batch_op.create_index('ix_public_views_company_id', ['company_id'], unique=False)
        batch_op.create_index('ix_public_views_document_id_id', ['document_id', 'id'], unique=False)

    _backfill()

    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_document_revisions_document_id')
    op.drop_table('document_revisions')


def _backfill():
    bind = op.get_bind()
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('company_id', sa.Integer),
                         sa.column('status', sa.String), sa.column('data', JSON),
                         sa.column('fingerprint', sa.String), sa.column('created_by_id', sa.Integer),
                         sa.column('created_at', sa.DateTime(timezone=True)),
                         sa.column('updated_at', sa.DateTime(timezone=True)),
                         sa.column('cancelled_at', sa.DateTime(timezone=True)))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String))
    versions = sa.table('document_versions', sa.column('document_id', sa.Integer),
                        sa.column('version', sa.Integer), sa.column('fingerprint', sa.String),
                        sa.column('data', JSON), sa.column('created_at', sa.DateTime(timezone=True)),
                        sa.column('created_by_id', sa.Integer), sa.column('created_by', sa.String))
    events = sa.table('document_events', sa.column('company_id', sa.Integer),
                      sa.column('document_id', sa.Integer), sa.column('seq', sa.Integer),
                      sa.column('type', sa.String), sa.column('at', sa.DateTime(timezone=True)),
                      sa.column('body', sa.Text), sa.column('prev_hash', sa.String),
                      sa.column('hash', sa.String))
    emails = dict(bind.execute(sa.select(users.c.id, users.c.email)).all())
    last_id = 0
    while True:
        rows = bind.execute(sa.select(documents).where(documents.c.id > last_id)
                            .order_by(documents.c.id).limit(500)).mappings().all()
        if not rows:
            break
        version_rows, event_rows = [], []
        for row in rows:
            last_id = row["id"]
            by = emails.get(row["created_by_id"], "")
            created, updated = _aware(row["created_at"]), _aware(row["updated_at"])
            version_rows.append({"document_id": row["id"], "version": 1, "fingerprint": row["fingerprint"],
                                 "data": row["data"], "created_at": updated,
                                 "created_by_id": row["created_by_id"], "created_by": by})
            body, digest = _event(1, "issued", created, 1, row["fingerprint"], by, "")
            event_rows.append({"company_id": row["company_id"], "document_id": row["id"], "seq": 1,
                               "type": "issued", "at": created, "body": body, "prev_hash": "", "hash": digest})
            if row["status"] == "cancelled":
                body, second = _event(2, "cancelled", updated, 1, row["fingerprint"], "", digest)
                event_rows.append({"company_id": row["company_id"], "document_id": row["id"], "seq": 2,
                                   "type": "cancelled", "at": updated, "body": body, "prev_hash": digest,
                                   "hash": second})
                bind.execute(documents.update().where(documents.c.id == row["id"])
                             .values(cancelled_at=updated))
        if bind.dialect.name == "sqlite":  # naive UTC, as the application stores it
            for r in version_rows:
                r["created_at"] = r["created_at"].replace(tzinfo=None)
            for r in event_rows:
                r["at"] = r["at"].replace(tzinfo=None)
        bind.execute(versions.insert(), version_rows)
        bind.execute(events.insert(), event_rows)


def downgrade():
    op.create_table('document_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_document_revisions_document_id', ['document_id'], unique=False)
    op.drop_table('public_views')
    op.drop_table('document_events')
    op.drop_table('document_versions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('version')
