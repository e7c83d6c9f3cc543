"""enterprise.merged_into_id: a merged-away enterprise record points to the one kept

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enterprise') as batch:
        batch.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f('fk_enterprise_merged_into_id_enterprise'), 'enterprise',
            ['merged_into_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('enterprise') as batch:
        batch.drop_constraint(op.f('fk_enterprise_merged_into_id_enterprise'), type_='foreignkey')
        batch.drop_column('merged_into_id')
