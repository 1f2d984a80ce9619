"""Runs reporting: settings from the environment, uvicorn serving the reports, the consumer and
the close-out scheduler in the same process (started and stopped by the app's lifespan)."""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from services.reporting.app import create_app
from services.reporting.bootstrap import build
from services.reporting.settings import ReportingSettings


def main() -> None:
    try:
        settings = ReportingSettings()
    except ValidationError as exc:
        print(f"reporting: invalid settings:\n{exc}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(build(settings))
    uvicorn.run(app, host=settings.http.host, port=settings.http.port,
                log_level=settings.log_level.lower(), access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
