"""published documents: every published version of the routing rules and the IVR scripts,
with its files, who and when (document_version; issue 13 items 5 and 7).

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('changed', sa.String(length=120), nullable=False),
    sa.Column('restored_from', sa.Integer(), nullable=True),
    sa.Column('published_at', helpdesk.db.UTCDateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('kind', 'number', name=op.f('uq_document_version_kind_number'))
    )


def downgrade() -> None:
    op.drop_table('document_version')
