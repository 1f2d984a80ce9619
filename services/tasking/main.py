"""Runs tasking: settings from the environment, uvicorn serving the API; the consumer, the
scheduler and the outbox relay run in the same process (started by the app's lifespan).

Exit codes: 0 stopped, 2 invalid settings or policy file."""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from services.tasking.app import create_app
from services.tasking.bootstrap import build
from services.tasking.domain.policy import PolicyError
from services.tasking.settings import TaskingSettings


def main() -> None:
    try:
        settings = TaskingSettings()
        components = build(settings)
    except ValidationError as exc:
        print(f"tasking: invalid settings:\n{exc}", file=sys.stderr)
        sys.exit(2)
    except PolicyError as exc:
        print(f"tasking: invalid policy: {exc}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(components), host=settings.http.host, port=settings.http.port,
                log_level=settings.log_level.lower(), access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
