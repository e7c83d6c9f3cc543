"""ticket: indexes on merged_into_id and related_ticket_id, and on notification.ticket_id.
All three are foreign keys to ticket.id with no index, so deleting a ticket (the database
checks what points at it, and cascades to its notifications) and the complaints about a
ticket / the tickets merged into one scanned the whole table.

Revision ID: 0030
Revises: 0029
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_ticket_merged_into_id', 'ticket', ['merged_into_id'], unique=False)
    op.create_index('ix_ticket_related_ticket_id', 'ticket', ['related_ticket_id'], unique=False)
    op.create_index('ix_notification_ticket_id', 'notification', ['ticket_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notification_ticket_id', table_name='notification')
    op.drop_index('ix_ticket_related_ticket_id', table_name='ticket')
    op.drop_index('ix_ticket_merged_into_id', table_name='ticket')
