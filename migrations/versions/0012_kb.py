"""kb: knowledge-base articles (newest copy and review status), every saved version with who
and when, and the deflection counters of suggestions made while enterprises type.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpdesk.db

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade() -> None:
    op.create_table(
        'kb_article',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_code', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('audience', _enum('public', 'internal', name='audience'), nullable=False),
        sa.Column('status', _enum('draft', 'review', 'published', name='articlestatus'), nullable=False),
        sa.Column('latest_version', sa.Integer(), nullable=False),
        sa.Column('published_version', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['category_code'], ['service_category.code'], name=op.f('fk_kb_article_category_code_service_category')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_kb_article_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article')),
    )
    op.create_index(op.f('ix_kb_article_category_code'), 'kb_article', ['category_code'])
    op.create_index(op.f('ix_kb_article_status'), 'kb_article', ['status'])
    op.create_table(
        'kb_article_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('category_code', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('audience', _enum('public', 'internal', name='audience'), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', helpdesk.db.UTCDateTime(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', helpdesk.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_article_version_article_id_kb_article')),
        sa.ForeignKeyConstraint(['category_code'], ['service_category.code'], name=op.f('fk_kb_article_version_category_code_service_category')),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'], name=op.f('fk_kb_article_version_saved_by_id_user_account')),
        sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_kb_article_version_published_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_version')),
        sa.UniqueConstraint('article_id', 'number', name=op.f('uq_kb_article_version_article_id_number')),
    )
    op.create_index(op.f('ix_kb_article_version_article_id'), 'kb_article_version', ['article_id'])
    op.create_table(
        'kb_deflection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=True),
        sa.Column('event', _enum('shown', 'opened', 'abandoned', name='deflectionevent'), nullable=False),
        sa.Column('surface', _enum('portal', 'chat', name='surface'), nullable=False),
        sa.Column('at', helpdesk.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_deflection_article_id_kb_article'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_deflection')),
    )
    op.create_index(op.f('ix_kb_deflection_article_id'), 'kb_deflection', ['article_id'])
    op.create_index(op.f('ix_kb_deflection_at'), 'kb_deflection', ['at'])


def downgrade() -> None:
    op.execute("DELETE FROM search_document WHERE kind = 'article'")
    op.drop_table('kb_deflection')
    op.drop_table('kb_article_version')
    op.drop_table('kb_article')
