"""KSeF e-invoices: each VAT invoice's FA(3) XML and where its sending stands; the seller's BIC

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Plain add_column (no batch copy): nullable columns, fine on SQLite and PostgreSQL.
    op.add_column('billing_documents', sa.Column('ksef_status', sa.String(length=10), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_xml', sa.Text(), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_number', sa.String(length=40), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_url', sa.String(length=300), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_reference', sa.String(length=200), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_error', sa.Text(), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_attempts', sa.Integer(), nullable=False,
                                                 server_default='0'))
    op.add_column('billing_documents', sa.Column('ksef_next_attempt_at', sa.DateTime(timezone=True),
                                                 nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_claimed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('billing_documents', sa.Column('ksef_sent_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_billing_documents_ksef_status', 'billing_documents', ['ksef_status'])
    op.add_column('seller_settings', sa.Column('bank_swift', sa.String(length=11), nullable=False,
                                               server_default=''))
    op.add_column('orders', sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('orders') as batch_op:
        batch_op.drop_column('cancelled_at')
    with op.batch_alter_table('seller_settings') as batch_op:
        batch_op.drop_column('bank_swift')
    op.drop_index('ix_billing_documents_ksef_status', table_name='billing_documents')
    with op.batch_alter_table('billing_documents') as batch_op:
        for column in ('ksef_sent_at', 'ksef_claimed_at', 'ksef_next_attempt_at', 'ksef_attempts', 'ksef_error',
                       'ksef_reference', 'ksef_url', 'ksef_number', 'ksef_xml', 'ksef_status'):
            batch_op.drop_column(column)
