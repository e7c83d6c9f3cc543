"""登记备案留档 (issue 14 item 7): personal data anonymised after its retention, and archives
of closed tickets that verify offline."""
