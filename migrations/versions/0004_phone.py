"""phone: call records and blocked numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:07:09.306638
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('phone_blocked_number',
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_phone_blocked_number'))
    )
    op.create_table('call_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.String(length=250), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.Enum('in', 'out', name='calldirection', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('ringing', 'answered', 'ended', name='callstatus', native_enum=False, length=24), nullable=False),
    sa.Column('from_number', sa.String(length=64), nullable=False),
    sa.Column('to_number', sa.String(length=64), nullable=False),
    sa.Column('caller_e164', sa.String(length=20), nullable=True),
    sa.Column('caller_city', sa.String(length=60), nullable=True),
    sa.Column('caller_carrier', sa.String(length=60), nullable=True),
    sa.Column('queue', sa.String(length=64), nullable=True),
    sa.Column('users', sa.JSON(), nullable=False),
    sa.Column('ring_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('answer_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('end_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('wait_seconds', sa.Integer(), nullable=True),
    sa.Column('talk_seconds', sa.Integer(), nullable=True),
    sa.Column('cause', sa.String(length=24), nullable=True),
    sa.Column('answering_number', sa.String(length=120), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('missed', sa.Boolean(), nullable=False),
    sa.Column('called_back_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ivr_script', sa.String(length=64), nullable=True),
    sa.Column('ivr_state', sa.JSON(), nullable=True),
    sa.Column('ivr_path', sa.JSON(), nullable=False),
    sa.Column('ivr_outcome', sa.String(length=24), nullable=True),
    sa.Column('transfers', sa.JSON(), nullable=False),
    sa.Column('updated_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_call_record_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_call_record_contact_id_contact')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_call_record_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_call_record_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_record')),
    sa.UniqueConstraint('call_id', name=op.f('uq_call_record_call_id'))
    )
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.create_index('ix_call_record_callbacks', ['missed', 'called_back_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_record_caller_e164'), ['caller_e164'], unique=False)
        batch_op.create_index('ix_call_record_status', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_record_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('call_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_record_ticket_id'))
        batch_op.drop_index('ix_call_record_status')
        batch_op.drop_index(batch_op.f('ix_call_record_caller_e164'))
        batch_op.drop_index('ix_call_record_callbacks')

    op.drop_table('call_record')
    op.drop_table('phone_blocked_number')
