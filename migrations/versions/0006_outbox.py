"""outbox: ticket changes waiting for their after-commit effects

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', helpdesk.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_entry'))
    )
    with op.batch_alter_table('outbox_entry', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_entry_claim', ['claim'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_entry_claim')
    op.drop_table('outbox_entry')
