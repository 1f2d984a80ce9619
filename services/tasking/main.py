"""Runs tasking: settings from the environment, uvicorn serving the API; the consumer, the
scheduler and the outbox relay run in the same process (started by the app's lifespan).

Exit codes: 0 stopped, 2 invalid settings or policy file."""

from __future__ import annotations

from paicha_runtime.service import serve
from services.tasking.app import create_app
from services.tasking.bootstrap import build
from services.tasking.domain.policy import PolicyError
from services.tasking.settings import TaskingSettings


def main() -> None:
    serve("tasking", TaskingSettings, lambda settings: create_app(build(settings)),
          invalid={PolicyError: "invalid policy"})


if __name__ == "__main__":
    main()
