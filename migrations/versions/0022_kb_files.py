"""kb files: attachments of knowledge-base articles (kb_file, bytes in the database like the
files on tickets) and which files each version has (kb_version_file).

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'kb_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=43), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_file_article_id_kb_article')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_kb_file_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_file')),
        sa.UniqueConstraint('key', name=op.f('uq_kb_file_key')),
    )
    op.create_index(op.f('ix_kb_file_article_id'), 'kb_file', ['article_id'])
    op.create_table(
        'kb_version_file',
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['kb_article_version.id'], name=op.f('fk_kb_version_file_version_id_kb_article_version')),
        sa.ForeignKeyConstraint(['file_id'], ['kb_file.id'], name=op.f('fk_kb_version_file_file_id_kb_file')),
        sa.PrimaryKeyConstraint('version_id', 'file_id', name=op.f('pk_kb_version_file')),
    )
    op.create_index(op.f('ix_kb_version_file_file_id'), 'kb_version_file', ['file_id'])


def downgrade() -> None:
    op.drop_table('kb_version_file')
    op.drop_table('kb_file')
