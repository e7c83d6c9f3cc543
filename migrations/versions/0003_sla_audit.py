"""sla and audit: ticket SLA clock, timer stages, sealed audit chain

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:06:03.575795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('audit_record',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.BigInteger(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_record')),
    sa.UniqueConstraint('event_id', name=op.f('uq_audit_record_event_id'))
    )
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_record_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('sla_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=16), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('fire_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('done_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_sla_stage_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_stage')),
    sa.UniqueConstraint('ticket_id', 'target', 'step', 'cycle', name=op.f('uq_sla_stage_ticket_id_target_step_cycle'))
    )
    with op.batch_alter_table('sla_stage', schema=None) as batch_op:
        batch_op.create_index('ix_sla_stage_state_fire_at', ['state', 'fire_at'], unique=False)

    op.create_table('ticket_sla',
    sa.Column('ticket_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('policy', sa.String(length=64), nullable=False),
    sa.Column('calendar', sa.String(length=16), nullable=False),
    sa.Column('started_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('paused_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('paused_seconds', sa.Float(), nullable=False),
    sa.Column('responded', sa.Boolean(), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('update_started_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('update_cycle', sa.Integer(), nullable=False),
    sa.Column('resolution_cycle', sa.Integer(), nullable=False),
    sa.Column('first_response_due', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('next_update_due', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('resolution_due', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('overdue_since', helpdesk.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_sla_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_sla'))
    )
    with op.batch_alter_table('ticket_sla', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_sla_overdue', ['overdue', 'ticket_id'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('ticket_sla', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_sla_overdue')

    op.drop_table('ticket_sla')
    with op.batch_alter_table('sla_stage', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_stage_state_fire_at')

    op.drop_table('sla_stage')
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_record_ticket_id'))

    op.drop_table('audit_record')

