"""`python -m services.triage`: the triage worker with its HTTP API."""

import sys

from .main import main

sys.exit(main())
