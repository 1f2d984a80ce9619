"""Reporting service: live counters and the daily briefing (not built yet)."""
