"""printer scale for pre-printed blanks, beside the x/y offset

A plain add_column (no batch "move and copy" of companies on SQLite); existing
companies print at 100 %.

Revision ID: 0012
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('companies', sa.Column('print_scale_pct', sa.Numeric(precision=5, scale=2),
                                         nullable=False, server_default='100'))


def downgrade():
    with op.batch_alter_table('companies') as batch:
        batch.drop_column('print_scale_pct')
