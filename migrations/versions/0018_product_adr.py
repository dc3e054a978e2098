"""products keep the whole ADR entry of a goods line: the proper shipping name, the tunnel
code and "environmentally hazardous" beside the class, UN number and packing group
(the form and the API took them; they were not stored)

Plain add_columns; existing products have none of the three.

Revision ID: 0018
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('products', sa.Column('adr_proper_shipping_name', sa.String(length=200), nullable=False,
                                        server_default=''))
    op.add_column('products', sa.Column('adr_tunnel_code', sa.String(length=10), nullable=False,
                                        server_default=''))
    op.add_column('products', sa.Column('adr_environmentally_hazardous', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('products') as batch:
        batch.drop_column('adr_environmentally_hazardous')
        batch.drop_column('adr_tunnel_code')
        batch.drop_column('adr_proper_shipping_name')
