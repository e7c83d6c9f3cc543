"""open-ticket counters striped: several rows per organisation (org_open_count.stripe), summed
when read, so concurrent creations routed to one organisation do not queue on one row lock

Revision ID: 0025
Revises: 0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(striped: bool) -> None:
    columns = [sa.Column("organisation_id", sa.Integer(), nullable=False)]
    key = ["organisation_id"]
    if striped:
        columns.append(sa.Column("stripe", sa.SmallInteger(), nullable=False))
        key.append("stripe")
    op.create_table(
        "org_open_count",
        *columns,
        sa.Column("open_tickets", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_org_open_count_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_org_open_count")),
    )


def upgrade() -> None:
    # Counters are a cache of a recount: rebuilt, not converted.
    op.drop_table("org_open_count")
    _table(striped=True)
    op.execute(
        "INSERT INTO org_open_count (organisation_id, stripe, open_tickets) "
        "SELECT assigned_org_id, 0, count(*) FROM ticket "
        "WHERE is_open AND assigned_org_id IS NOT NULL GROUP BY assigned_org_id"
    )


def downgrade() -> None:
    op.drop_table("org_open_count")
    _table(striped=False)
    op.execute(
        "INSERT INTO org_open_count (organisation_id, open_tickets) "
        "SELECT assigned_org_id, count(*) FROM ticket "
        "WHERE is_open AND assigned_org_id IS NOT NULL GROUP BY assigned_org_id"
    )
