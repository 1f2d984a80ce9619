"""paicha: operator tooling (CLI, local stack, simulator) for the screening pipeline."""
