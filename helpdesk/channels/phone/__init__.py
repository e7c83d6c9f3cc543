"""The phone channel: CTI events, call records, caller identification, IVR and its adapters.

Pure parts (no Flask, no session): `cti` parsing, `ivr` (schema, nodes, interpreter),
`twiml` rendering, `agi` protocol. Edges: `service` (database), `api`/`views` (HTTP),
`sockets` (screen pop), `agi_server` (FastAGI over TCP).
"""
