"""`python -m services.intake` runs the intake service (HTTP API and raw-topic consumers)."""

from services.intake.main import main

main()
