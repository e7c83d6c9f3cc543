"""the statistics dashboard's daily rollup (stats_day, stats_rolled_day, stats_rollup_state),
and ticket indexes on created_at (a day's tickets) and updated_at (tickets changed since)

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stats_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=True),
        sa.Column('district', sa.String(length=12), nullable=False),
        sa.Column('platform', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=24), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('tickets', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_day')),
    )
    op.create_index('ix_stats_day_day', 'stats_day', ['day'], unique=False)
    op.create_table(
        'stats_rolled_day',
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('rolled_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_stats_rolled_day')),
    )
    op.create_table(
        'stats_rollup_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checked_until', sa.DateTime(), nullable=False),
        sa.Column('last_ticket_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_rollup_state')),
    )
    op.create_index('ix_ticket_created_at', 'ticket', ['created_at'], unique=False)
    op.create_index('ix_ticket_updated_at', 'ticket', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_updated_at', table_name='ticket')
    op.drop_index('ix_ticket_created_at', table_name='ticket')
    op.drop_table('stats_rollup_state')
    op.drop_table('stats_rolled_day')
    op.drop_index('ix_stats_day_day', table_name='stats_day')
    op.drop_table('stats_day')
