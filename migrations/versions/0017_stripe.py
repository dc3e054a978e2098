"""Stripe: customers with the card saved for automatic renewal, and the intents made per order

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stripe_customers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('company_id', sa.Integer(), sa.ForeignKey('companies.id', ondelete='CASCADE'), nullable=False),
        sa.Column('customer_id', sa.String(length=255), nullable=False),
        sa.Column('payment_method_id', sa.String(length=255), nullable=True),
        sa.Column('card_brand', sa.String(length=20), nullable=False, server_default=''),
        sa.Column('card_last4', sa.String(length=4), nullable=False, server_default=''),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('company_id', name='uq_stripe_customers_company_id'),
        sa.UniqueConstraint('customer_id', name='uq_stripe_customers_customer_id'),
    )
    op.create_table(
        'stripe_intents',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('order_id', sa.Integer(), sa.ForeignKey('orders.id', ondelete='CASCADE'), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('intent_id', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('order_id', 'purpose', name='uq_stripe_intents_order_id_purpose'),
        sa.UniqueConstraint('intent_id', name='uq_stripe_intents_intent_id'),
    )
    op.create_index('ix_stripe_intents_order_id', 'stripe_intents', ['order_id'])


def downgrade():
    op.drop_index('ix_stripe_intents_order_id', table_name='stripe_intents')
    op.drop_table('stripe_intents')
    op.drop_table('stripe_customers')
