"""chat and portal: conversations, messages, attachments, ratings, enterprise registrations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:28:11.218546
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('enterprise_registration',
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='registrationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('submitted_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('decided_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_enterprise_registration_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_enterprise_registration_enterprise_id_enterprise')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_enterprise_registration_user_id_user_account')),
    sa.PrimaryKeyConstraint('enterprise_id', name=op.f('pk_enterprise_registration'))
    )
    with op.batch_alter_table('enterprise_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_registration_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_registration_user_id'), ['user_id'], unique=False)

    op.create_table('chat_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'active', 'ended', name='conversationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('visitor_name', sa.String(length=60), nullable=False),
    sa.Column('visitor_phone', sa.String(length=20), nullable=True),
    sa.Column('visitor_user_id', sa.Integer(), nullable=True),
    sa.Column('category_code', sa.String(length=64), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('visitor_read_seq', sa.Integer(), nullable=False),
    sa.Column('agent_read_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.Column('ended_at', helpdesk.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_chat_conversation_agent_id_user_account')),
    sa.ForeignKeyConstraint(['category_code'], ['service_category.code'], name=op.f('fk_chat_conversation_category_code_service_category')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_chat_conversation_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_chat_conversation_ticket_id_ticket')),
    sa.ForeignKeyConstraint(['visitor_user_id'], ['user_account.id'], name=op.f('fk_chat_conversation_visitor_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_conversation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_chat_conversation_token_hash'))
    )
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.create_index('ix_chat_conversation_agent', ['agent_id', 'status'], unique=False)
        batch_op.create_index('ix_chat_conversation_status', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chat_conversation_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rated_by_id'], ['user_account.id'], name=op.f('fk_ticket_rating_rated_by_id_user_account')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_rating_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_rating')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_ticket_rating_ticket_id'))
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=43), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['chat_conversation.id'], name=op.f('fk_attachment_conversation_id_chat_conversation')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_attachment_ticket_id_ticket')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('key', name=op.f('uq_attachment_key'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('chat_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sender', sa.Enum('visitor', 'agent', 'system', name='sender', native_enum=False, length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=40), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_chat_message_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_chat_message_author_id_user_account')),
    sa.ForeignKeyConstraint(['conversation_id'], ['chat_conversation.id'], name=op.f('fk_chat_message_conversation_id_chat_conversation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_message')),
    sa.UniqueConstraint('conversation_id', 'client_id', name=op.f('uq_chat_message_conversation_id_client_id')),
    sa.UniqueConstraint('conversation_id', 'seq', name=op.f('uq_chat_message_conversation_id_seq'))
    )


def downgrade() -> None:
    op.drop_table('chat_message')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_ticket_id'))

    op.drop_table('attachment')
    op.drop_table('ticket_rating')
    with op.batch_alter_table('chat_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_conversation_ticket_id'))
        batch_op.drop_index('ix_chat_conversation_status')
        batch_op.drop_index('ix_chat_conversation_agent')

    op.drop_table('chat_conversation')
    with op.batch_alter_table('enterprise_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_registration_user_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_registration_status'))

    op.drop_table('enterprise_registration')
