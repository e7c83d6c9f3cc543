"""Ticket pages for staff: list, detail with timeline and actions, new ticket."""

from flask import Blueprint

blueprint = Blueprint("tickets", __name__)
