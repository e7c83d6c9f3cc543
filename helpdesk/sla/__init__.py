"""SLA: business calendar, policies, the clock, timers in RQ and the escalation ladder."""
