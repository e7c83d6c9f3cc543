"""tokens: API tokens get a scope (read, write, cti), an expiry, a revocation time and a last
use (issue 16 item 10, issue 13 item 8); ticket events keep digests of the row after the change
(ticket_event.state), and the audit checkpoints get their copy in the database
(audit_checkpoint), for `audit verify` (issue 16 item 9).

Revision ID: 0012_tokens
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0012_tokens'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.Enum('read', 'write', 'cti', name='tokenscope', native_enum=False, length=24), server_default='write', nullable=False))
        batch_op.add_column(sa.Column('expires_at', helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', helpdesk.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', helpdesk.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.JSON(), nullable=True))
    op.create_table('audit_checkpoint',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('chain', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('chain_id', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )


def downgrade() -> None:
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_column('state')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
