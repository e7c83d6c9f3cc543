"""phone: a call's outcome (answered, busy, no answer …), the raw hang-up cause at any length a
PBX sends, and an index for the call list's period filter

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ('answered', 'ivr', 'busy', 'no_answer', 'abandoned', 'failed', 'forwarded', 'other')


def upgrade() -> None:
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum(*OUTCOMES, name='calloutcome', native_enum=False, length=24), nullable=True))
        batch_op.alter_column('cause', existing_type=sa.String(length=24), type_=sa.String(length=64), existing_nullable=True)
        batch_op.create_index('ix_call_record_ring_at', ['ring_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.drop_index('ix_call_record_ring_at')
        batch_op.alter_column('cause', existing_type=sa.String(length=64), type_=sa.String(length=24), existing_nullable=True)
        batch_op.drop_column('outcome')
