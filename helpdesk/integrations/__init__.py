"""Integrations (issue 13 item 8): API tokens and blocked caller numbers, pages and CLI."""
