"""Reporting's rules, standard library only: facts about records, cases, tasks and tests merged
in any order, the counters derived from them, and the Chinese daily briefing."""
