"""Enterprises in the operations console: browse, search, edit (issue 13 item 3)."""
