"""Channels through which needs arrive: the phone hotline (and, later, web chat)."""
