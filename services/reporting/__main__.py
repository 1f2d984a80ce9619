"""`python -m services.reporting` runs the reporting service."""

from services.reporting.main import main

main()
