"""Imports every model so the metadata is complete (Alembic, tests)."""

from helpdesk.audit.models import AuditCheckpoint, AuditRecord
from helpdesk.auth.models import ApiToken, User
from helpdesk.channels.chat.models import Conversation, Message
from helpdesk.channels.phone.models import BlockedNumber, CallRecord
from helpdesk.db import Base
from helpdesk.directory.models import (
    Contact,
    Enterprise,
    Organisation,
    Region,
    ServiceCategory,
)
from helpdesk.kb.models import Article, ArticleVersion, Deflection
from helpdesk.loop.models import FollowUp, ProviderWatch
from helpdesk.notifications.models import Notification
from helpdesk.oplog.models import AdminChange, AdminSeal
from helpdesk.outbox.models import OutboxEntry
from helpdesk.portal.models import Attachment, EnterpriseRegistration, TicketRating
from helpdesk.retention.models import Erasure
from helpdesk.search.models import SearchDocument
from helpdesk.sla.models import SlaStage, TicketSla
from helpdesk.stats.models import StatsDay, StatsRolledDay, StatsRollupState
from helpdesk.tickets.models import Comment, Ticket, TicketCounter, TicketDecline, TicketEvent
from helpdesk.webhooks.models import Webhook, WebhookDelivery
from helpdesk.yamldocs.models import DocumentVersion

__all__ = [
    "AdminChange",
    "AdminSeal",
    "ApiToken",
    "Article",
    "ArticleVersion",
    "Attachment",
    "AuditCheckpoint",
    "AuditRecord",
    "Base",
    "BlockedNumber",
    "CallRecord",
    "Comment",
    "Contact",
    "Conversation",
    "Deflection",
    "DocumentVersion",
    "Enterprise",
    "EnterpriseRegistration",
    "Erasure",
    "FollowUp",
    "Message",
    "Notification",
    "Organisation",
    "OutboxEntry",
    "ProviderWatch",
    "Region",
    "SearchDocument",
    "ServiceCategory",
    "SlaStage",
    "StatsDay",
    "StatsRolledDay",
    "StatsRollupState",
    "Ticket",
    "TicketCounter",
    "TicketDecline",
    "TicketEvent",
    "TicketRating",
    "TicketSla",
    "User",
    "Webhook",
    "WebhookDelivery",
]
