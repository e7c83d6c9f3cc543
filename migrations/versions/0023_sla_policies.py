"""sla policies edited in the console: each ticket's SLA remembers the version of the policies
it was planned with (ticket_sla.policy_version; NULL = the file as shipped, version 1).

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_sla") as batch:
        batch.add_column(sa.Column("policy_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket_sla") as batch:
        batch.drop_column("policy_version")
