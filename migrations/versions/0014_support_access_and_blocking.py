"""support access by consent with an end, its log; blocking a company

The early schema's `companies.support_access` boolean was never read or set by the
application; consent now has an end (terms §14: for a number of days). A company that
had it true gets a consent of DEFAULT_DAYS from the migration, which ends by itself and
is shown to the owner in Settings; false stays no consent. The boolean is then dropped.

Plain add/drop column on companies (no batch "move and copy"): rebuilding companies on
SQLite would mean dropping the table every other table points to with ON DELETE CASCADE.

Revision ID: 0014
Revises: 0017
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0017'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 7


def _utc_column(name):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def _naive_for(bind, moment):
    # UTCDateTime stores naive UTC on SQLite and aware on PostgreSQL.
    return moment.replace(tzinfo=None) if bind.dialect.name == 'sqlite' else moment


def upgrade():
    bind = op.get_bind()
    op.add_column('companies', _utc_column('support_access_until'))
    op.add_column('companies', _utc_column('blocked_at'))
    op.add_column('companies', sa.Column('blocked_reason', sa.String(length=500), nullable=False,
                                         server_default=''))
    until = _naive_for(bind, datetime.now(timezone.utc) + timedelta(days=DEFAULT_DAYS))
    bind.execute(sa.text("UPDATE companies SET support_access_until = :until WHERE support_access"),
                 {"until": until})
    op.drop_column('companies', 'support_access')

    op.create_table(
        'support_access_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('user_email', sa.String(length=254), nullable=False),
        sa.Column('what', sa.String(length=300), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_support_access_log_company_id', 'support_access_log', ['company_id'])
    op.create_index('ix_support_access_log_company_id_id', 'support_access_log', ['company_id', 'id'])


def downgrade():
    bind = op.get_bind()
    op.drop_index('ix_support_access_log_company_id_id', table_name='support_access_log')
    op.drop_index('ix_support_access_log_company_id', table_name='support_access_log')
    op.drop_table('support_access_log')
    op.add_column('companies', sa.Column('support_access', sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    now = _naive_for(bind, datetime.now(timezone.utc))
    bind.execute(sa.text("UPDATE companies SET support_access = :yes WHERE support_access_until > :now"),
                 {"yes": True, "now": now})
    op.drop_column('companies', 'blocked_reason')
    op.drop_column('companies', 'blocked_at')
    op.drop_column('companies', 'support_access_until')
