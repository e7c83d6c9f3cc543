"""The operations log (操作记录): every change an administrator makes, with who, when and
before -> after.

Ticket events have their own audit chain; admin changes are not ticket events, so they go to an
append-only table of their own (`admin_change`, written in the change's own transaction by
`record.record_change`) and are hashed into a second chain (`admin_seal`) exactly the way
ticket events are: the same canonical JSON, the same redaction of personal fields, the same
SHA-256 links, sealed by the same job after the same grace period, with signed checkpoints in
the same file (marked `"chain": "admin"`). `helpdesk audit verify` checks both chains.
"""
