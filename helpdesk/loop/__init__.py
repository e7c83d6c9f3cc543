"""Closing the loop (issue 14): 回访 follow-ups, provider scorecards, the watch bar (激励淘汰)."""
