"""Tasking service: grid-worker tasks, deadlines, outcomes and escalation (not built yet)."""
