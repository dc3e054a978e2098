"""plan audit: admins' changes to the plan catalogue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'plan_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_code', sa.String(length=32), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=True),
        sa.Column('admin_email', sa.String(length=254), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('changes', JSON, nullable=False),
        sa.ForeignKeyConstraint(['admin_id'], ['users.id'], name='fk_plan_audit_admin_id_users',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_plan_audit'),
    )
    op.create_index('ix_plan_audit_plan_code_id', 'plan_audit', ['plan_code', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_plan_audit_plan_code_id', table_name='plan_audit')
    op.drop_table('plan_audit')
