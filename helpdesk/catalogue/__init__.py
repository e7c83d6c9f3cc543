"""The service catalogue in the operations console: names, order, retired (issue 13 item 4)."""
