"""Intake rules in plain Python (standard library and `contracts.values` only): what each feed
sends, how Chinese column headers map to fields, how values and times are normalized, and how
a record without a source id gets a stable one."""
