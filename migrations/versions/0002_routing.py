"""routing: tags and the SLA policy name that routing rules set on a ticket

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:57:51.732826
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        # existing tickets get no tags rather than NULL
        batch_op.add_column(
            sa.Column('tags', sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column('sla_policy', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('sla_policy')
        batch_op.drop_column('tags')
