"""Runs reporting: settings from the environment, uvicorn serving the reports, the consumer and
the close-out scheduler in the same process (started and stopped by the app's lifespan).

Exit codes: 0 stopped, 2 invalid settings."""

from __future__ import annotations

from paicha_runtime.service import serve
from services.reporting.app import create_app
from services.reporting.bootstrap import build
from services.reporting.settings import ReportingSettings


def main() -> None:
    serve("reporting", ReportingSettings, lambda settings: create_app(build(settings)))


if __name__ == "__main__":
    main()
