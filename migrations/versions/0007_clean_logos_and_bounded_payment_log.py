"""clean stored logos; count repeated refused payment notifications

Logos saved before uploads were decoded were stored as sent: a file that only starts
like a PNG, or a 12000 x 12000 image, went into every PDF of the company. Each stored
logo is now put through the same cleaning as a new upload (cmr_app.services.images):
kept re-encoded and downscaled when it decodes, dropped when it does not.

Refused payment notifications get a digest (identical refusals are counted on one row
instead of stored again), a repeat count and the time of the last repeat.

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-01 00:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None

companies = sa.table('companies', sa.column('id', sa.Integer), sa.column('logo', sa.LargeBinary),
                     sa.column('logo_mime', sa.String))


def upgrade():
    with op.batch_alter_table('payment_events') as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('repeats', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('last_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_payment_events_digest', ['digest'], unique=True)
    clean_logos(op.get_bind())


def clean_logos(conn) -> dict:
    """Re-encodes every stored logo; drops the ones that cannot be decoded. One row at
    a time, so a table of large logos is never all in memory."""
    from cmr_app.services.images import ImageRefused, clean_image
    done = {"cleaned": 0, "dropped": 0}
    ids = conn.execute(sa.select(companies.c.id).where(companies.c.logo.is_not(None))
                       .order_by(companies.c.id)).scalars().all()
    for company_id in ids:
        content = conn.execute(sa.select(companies.c.logo).where(companies.c.id == company_id)).scalar()
        try:
            # The byte limit of new uploads is not applied: a large logo that decodes is
            # worth keeping downscaled; the pixel limit still guards the decoding.
            clean = clean_image(bytes(content), max_bytes=len(content) or 1)
            values = {"logo": clean.data, "logo_mime": clean.mime}
            done["cleaned"] += 1
        except ImageRefused:
            values = {"logo": None, "logo_mime": ""}
            done["dropped"] += 1
        conn.execute(companies.update().where(companies.c.id == company_id).values(**values))
    return done


def downgrade():
    # The logos as first sent are not kept: there is nothing to restore them from.
    with op.batch_alter_table('payment_events') as batch_op:
        batch_op.drop_index('ix_payment_events_digest')
        batch_op.drop_column('last_at')
        batch_op.drop_column('repeats')
        batch_op.drop_column('digest')
