"""people: languages, must-change-password and a version counter on users; the operations log
(admin_change) and its sealed chain (admin_seal)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.create_table('admin_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_login', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('target_label', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_change'))
    )
    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.create_index('ix_admin_change_at', ['at'], unique=False)
        batch_op.create_index('ix_admin_change_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_admin_change_kind', ['kind'], unique=False)
    op.create_table('admin_seal',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('change_id', sa.BigInteger(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_admin_seal')),
    sa.UniqueConstraint('change_id', name=op.f('uq_admin_seal_change_id'))
    )


def downgrade() -> None:
    op.drop_table('admin_seal')
    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_change_kind')
        batch_op.drop_index('ix_admin_change_actor_id')
        batch_op.drop_index('ix_admin_change_at')
    op.drop_table('admin_change')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('languages')
