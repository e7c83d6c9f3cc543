"""retention_erasure (what retention anonymised) and call_record.wrap_up_seconds (话后整理)

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_erasure")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_retention_erasure_kind_record_id")),
    )
    with op.batch_alter_table("call_record") as batch:
        batch.add_column(sa.Column("wrap_up_seconds", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call_record") as batch:
        batch.drop_column("wrap_up_seconds")
    op.drop_table("retention_erasure")
