"""ops: organisations' contact, working hours, suspension reason and version; the service
catalogue's active flag and version; the enterprise's version; the hand-entered business calendar (calendar_year,
calendar_day)

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('working_hours', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['calendar_year.year'], name=op.f('fk_calendar_day_year_calendar_year')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_day_year'), ['year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calendar_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_day_year'))
    op.drop_table('calendar_day')
    op.drop_table('calendar_year')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('service_category', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('active')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('working_hours')
        batch_op.drop_column('contact_name')
