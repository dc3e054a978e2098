"""the company logo's SHA-256 beside it: the PDF cache keys on it without reading the logo

Revision ID: 0013
Revises: 0016
Create Date: 2026-12-01 04:00:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0016'
branch_labels = None
depends_on = None

companies = sa.table('companies', sa.column('id', sa.Integer), sa.column('logo', sa.LargeBinary),
                     sa.column('logo_hash', sa.String))


def upgrade():
    op.add_column('companies', sa.Column('logo_hash', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    ids = conn.execute(sa.select(companies.c.id).where(companies.c.logo.is_not(None))
                       .order_by(companies.c.id)).scalars().all()
    for company_id in ids:  # one logo at a time in memory
        content = conn.execute(sa.select(companies.c.logo).where(companies.c.id == company_id)).scalar()
        conn.execute(companies.update().where(companies.c.id == company_id)
                     .values(logo_hash=hashlib.sha256(bytes(content)).hexdigest() if content else None))


def downgrade():
    with op.batch_alter_table('companies') as batch_op:
        batch_op.drop_column('logo_hash')
