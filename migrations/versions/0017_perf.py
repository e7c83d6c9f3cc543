"""open tickets per organisation as counters (org_open_count), filled from a recount

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'org_open_count',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('open_tickets', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisation.id'],
            name=op.f('fk_org_open_count_organisation_id_organisation'),
        ),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_org_open_count')),
    )
    op.execute(
        "INSERT INTO org_open_count (organisation_id, open_tickets) "
        "SELECT assigned_org_id, count(*) FROM ticket "
        "WHERE is_open AND assigned_org_id IS NOT NULL GROUP BY assigned_org_id"
    )


def downgrade() -> None:
    op.drop_table('org_open_count')
