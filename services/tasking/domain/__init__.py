"""tasking's rules in plain Python: the task state machine, deadlines and escalation, test-day
scheduling in Asia/Shanghai, grid choice and the policy (standard library and contracts.vocabulary
only)."""
