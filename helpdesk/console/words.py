"""The words the live pages' scripts show, translated on the server (msgids in the catalogue)."""

from __future__ import annotations

from flask_babel import gettext as _


def page_words() -> dict[str, str]:
    return {
        "connected": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "revoked": _("Your session ended; please log in again."),
        "available": _("Available"),
        "busy": _("Busy"),
        "after_call": _("After-call work"),
        "away": _("Away"),
        "offline": _("Offline"),
        "reason_call": _("on a call"),
        "reason_chat_limit": _("chat limit reached"),
        "reason_call_ended": _("after a call"),
        "reason_disconnected": _("console closed"),
        "reason_logged_out": _("logged out"),
        "new_ticket": _("New ticket"),
        "escalated": _("Escalated"),
        "sla_alert": _("SLA alert"),
        "at_risk": _("At risk"),
        "breached": _("Breached"),
        "no_tickets": _("No tickets."),
        "pick": _("Pick a ticket on the left (j/k, Enter)."),
        "accept": _("Accept"),
        "decline": _("Decline"),
        "reply": _("Reply"),
        "note": _("Internal note"),
        "transfer": _("Transfer"),
        "pend": _("Pend"),
        "resolve": _("Resolve"),
        "close": _("Close"),
        "send": _("Send"),
        "reason": _("Reason"),
        "summary": _("Summary"),
        "to_org": _("To organisation"),
        "to_agent": _("Reassign to"),
        "reassign": _("Reassign"),
        "reveal": _("Show full number"),
        "revealed": _("Number shown; this is recorded in the ticket's history."),
        "done": _("Done."),
        "failed": _("Refused:"),
        "gone": _("This ticket was moved away from you."),
        "incoming_call": _("Incoming call"),
        "open_calls": _("Call actions"),
        "unknown_caller": _("Unknown caller"),
        "recent_tickets": _("Recent tickets"),
        "open_tickets": _("Open tickets"),
        "no_open_tickets": _("No open tickets."),
        "unknown_enterprise": _("No enterprise matched"),
        "call_ticket": _("This call's ticket"),
        "call_page": _("Call details"),
        "transferred_call": _("Call transferred to you"),
        "sent_by": _("Sent by"),
        "hang_up": _("Hang up"),
        "chat": _("Chats"),
        "waiting": _("Waiting"),
        "nobody_waiting": _("Nobody is waiting."),
        "contact": _("Contact"),
        "organisation": _("Organisation"),
        "assignee": _("Assignee"),
        "due": _("Due"),
        "since": _("since"),
        "answered_calls": _("Answered / calls"),
        "abandon_rate": _("Abandon rate"),
        "average_wait": _("Average wait"),
        "average_first_response": _("Average first response"),
        "seconds": _("s"),
        "minutes": _("min"),
        "shortcuts": _(
            "Keys: j/k move, Enter open, a accept, r reply, n note, t transfer, p pend, "
            "s resolve, Esc back"
        ),
        # Provider staff write no internal notes and do not transfer; they decline.
        "provider_shortcuts": _(
            "Keys: j/k move, Enter open, a accept, r reply, d decline, p pend, s resolve, Esc back"
        ),
    }
