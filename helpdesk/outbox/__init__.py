"""The after-commit pipeline (transactional outbox).

A ticket change writes, in its own transaction, the ticket, its TicketEvent and one
`OutboxEntry` (tickets.service._record calls `outbox.service.add`). After commit nothing is
done by the request itself: the dispatcher (`dispatcher.py`) claims committed entries in
batches and does their effects once — consoles told (realtime.fanout), each ticket's next SLA
timer booked (sla.timers), the audit seal requested — then deletes them. Entries are rows in
the database, so an effect is not lost when a process dies between commit and dispatch: a
claim has a lease, and an entry whose claimer died is claimed again when the lease ends. A
ticket whose effects fail for another reason than Redis being unreachable keeps its entries
claimed until that lease ends (retried then); the batch's other tickets are done.

Who dispatches: in a web process (`helpdesk web`, gunicorn) a background greenlet, woken after
each commit that wrote entries (it lets the loop's ready requests commit first, so a burst is
one batch) and every few seconds anyway; everywhere else (RQ jobs, CLI
commands, tests) the committing thread, right after its commit. The worker's periodic
reconcile run dispatches whatever is left (no web process running). See ARCHITECTURE.md.
"""
