"""Outgoing webhooks (issue 13 item 8): an administrator subscribes a URL to ticket events;
each committed change becomes one delivery row per subscription (an outbox effect,
`outbox.effects.apply`), sent by an RQ job signed with HMAC-SHA256 over a timestamp and the
body, retried with backoff, logged with the response, redeliverable by hand. Private and
loopback addresses are refused unless HELPDESK_WEBHOOK_PRIVATE=allow (no SSRF into the
platform's own network)."""
