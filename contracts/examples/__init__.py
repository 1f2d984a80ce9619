"""Standalone examples for downstream teams (they import nothing from paicha or contracts)."""
