"""Tasking service: grid-worker tasks, deadlines, outcomes, escalation, test follow-ups and
assist replies (docs/tasking.md)."""
