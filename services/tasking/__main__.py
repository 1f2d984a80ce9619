"""`python -m services.tasking` runs the tasking service (API, consumer, timers)."""

from services.tasking.main import main

main()
