"""Runs intake: settings from the environment, uvicorn serving the feed API, and the raw-topic
consumers in the same process (started and stopped by the app's lifespan).

Exit codes: 0 stopped, 2 invalid settings."""

from __future__ import annotations

from paicha_runtime.service import serve
from services.intake.app import create_app
from services.intake.bootstrap import build
from services.intake.settings import IntakeSettings


def main() -> None:
    serve("intake", IntakeSettings, lambda settings: create_app(build(settings)))


if __name__ == "__main__":
    main()
