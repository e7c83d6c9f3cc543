"""Alerts kept for people: SLA steps (warning, escalation, 督办) and transfers, written where the
alert is raised and shown with an unread count in the header, so whoever was offline sees them
at their next login (the live Socket.IO alert is only for whoever is online then)."""
