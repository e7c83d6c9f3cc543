"""the monthly statistics rollup (stats_month: served enterprises as bitmaps per month and
combination of filter dimensions and values), the scorecards' per organisation per month
sums (stats_org_month) and the months rolled (stats_rolled_month)

Revision ID: 0024
Revises: 0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stats_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('dims', sa.String(length=64), nullable=False),
        sa.Column('dim_values', sa.JSON(), nullable=False),
        sa.Column('tickets', sa.Integer(), nullable=False),
        sa.Column('enterprises', sa.LargeBinary(), nullable=False),
        sa.Column('counts', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_month')),
    )
    op.create_index('ix_stats_month_month_dims', 'stats_month', ['month', 'dims'], unique=False)
    op.create_table(
        'stats_org_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
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
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_org_month')),
    )
    op.create_index('ix_stats_org_month_month', 'stats_org_month', ['month'], unique=False)
    op.create_table(
        'stats_rolled_month',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('rolled_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_stats_rolled_month')),
    )


def downgrade() -> None:
    op.drop_table('stats_rolled_month')
    op.drop_index('ix_stats_org_month_month', table_name='stats_org_month')
    op.drop_table('stats_org_month')
    op.drop_index('ix_stats_month_month_dims', table_name='stats_month')
    op.drop_table('stats_month')
