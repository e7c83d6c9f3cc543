"""Tickets: the state machine, the one service that writes them, their API and pages."""
