"""Reporting service: live counters from every public topic, the daily briefing, exports
and the daily close-out (日清日结)."""
