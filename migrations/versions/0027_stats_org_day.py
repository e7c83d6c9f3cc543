"""stats: per-day scorecard sums (stats_org_day), rolled with each day's stats_day rows, so a
period's days outside whole months are not counted ticket by ticket. Every day and month is
marked unrolled: the maintenance run rolls them again (days 31 a run, months one a run) and
until then they are counted from the tickets, as any unrolled day.

Revision ID: 0027
Revises: 0026
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stats_org_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.Column('accepted', sa.Integer(), nullable=False),
        sa.Column('sla_judged', sa.Integer(), nullable=False),
        sa.Column('sla_met', sa.Integer(), nullable=False),
        sa.Column('escalated', sa.Integer(), nullable=False),
        sa.Column('ratings', sa.Integer(), nullable=False),
        sa.Column('rating_sum', sa.Integer(), nullable=False),
        sa.Column('callbacks_done', sa.Integer(), nullable=False),
        sa.Column('callbacks_unreachable', sa.Integer(), nullable=False),
        sa.Column('response_hours', sa.JSON(), nullable=False),
        sa.Column('resolution_hours', sa.JSON(), nullable=False),
        sa.Column('open_due', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_org_day')),
    )
    op.create_index('ix_stats_org_day_day', 'stats_org_day', ['day'], unique=False)
    # the days rolled so far have no scorecard rows: roll them (and their months) again
    op.execute("DELETE FROM stats_rolled_day")
    op.execute("DELETE FROM stats_rolled_month")


def downgrade() -> None:
    op.drop_index('ix_stats_org_day_day', table_name='stats_org_day')
    op.drop_table('stats_org_day')
