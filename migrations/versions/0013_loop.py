"""loop: follow-up tasks (回访 callbacks and supervisors' follow-ups) and provider watches (观察).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("done_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user_account.id"], name=op.f("fk_follow_up_done_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_follow_up_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("ticket_id", "kind", name=op.f("uq_follow_up_ticket_id_kind")),
    )
    op.create_index("ix_follow_up_state_kind", "follow_up", ["state", "kind"], unique=False)
    op.create_table(
        "provider_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("opened_at", helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", helpdesk.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_provider_watch_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_provider_watch_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_watch")),
    )
    op.create_index(
        "ix_provider_watch_org_state", "provider_watch", ["organisation_id", "state"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_provider_watch_org_state", table_name="provider_watch")
    op.drop_table("provider_watch")
    op.drop_index("ix_follow_up_state_kind", table_name="follow_up")
    op.drop_table("follow_up")
