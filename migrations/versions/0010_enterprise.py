"""enterprise view: a file sent with a reply belongs to that reply (attachment.comment_id), so
pages show it by name under the reply instead of a "[File: …]" line in its text

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_attachment_comment_id', ['comment_id'], unique=False)
        batch_op.create_foreign_key(op.f('fk_attachment_comment_id_ticket_comment'), 'ticket_comment', ['comment_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_attachment_comment_id_ticket_comment'), type_='foreignkey')
        batch_op.drop_index('ix_attachment_comment_id')
        batch_op.drop_column('comment_id')
