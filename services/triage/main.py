"""Entry point: `python -m services.triage` runs the faust worker and, inside it on the same
event loop, the FastAPI HTTP API (uvicorn through faust.contrib.asgi.serve_asgi).

One loop for both is required: the API publishes designations with the worker's own producer
and reads the worker's tables. serve_asgi starts HTTP once the first table recovery is done,
so /v1/risk-areas never answers from a half-recovered table.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import faust
from faust.contrib.asgi import serve_asgi
from pydantic import ValidationError

from services.triage.domain import Policy, PolicyError, default_policy, load_policy

from .adapters.topics import prepare_topics
from .app import create_triage
from .settings import TriageSettings

log = logging.getLogger("services.triage")

EX_CONFIG = 78  # sysexits: configuration error (bad settings or policy)
EX_UNAVAILABLE = 69  # the broker could not be reached to prepare topics
EX_TEMPFAIL = 75  # Kafka refused our output: restart and try again


class FatalExit:
    """Stop the worker after a fatal send failure: a graceful stop first (it commits only what
    was acknowledged), and a hard exit if that hangs, e.g. on an unreachable broker."""

    def __init__(self, hard_exit_after: float) -> None:
        self.hard_exit_after = hard_exit_after
        self.triggered = False

    def __call__(self, exc: BaseException) -> None:
        if self.triggered:
            return
        self.triggered = True
        timer = threading.Timer(self.hard_exit_after, os._exit, (EX_TEMPFAIL,))
        timer.daemon = True
        timer.start()
        os.kill(os.getpid(), signal.SIGTERM)


def read_policy(path: Path | None) -> Policy:
    return load_policy(path) if path is not None else default_policy()


def main() -> int:
    try:
        settings = TriageSettings()
    except ValidationError as exc:
        print(f"triage: invalid settings (TRIAGE_* environment):\n{exc}", file=sys.stderr)
        return EX_CONFIG
    try:
        policy = read_policy(settings.policy_path)
    except PolicyError as exc:
        print(f"triage: {exc}", file=sys.stderr)
        return EX_CONFIG
    except OSError as exc:
        print(f"triage: cannot read policy file: {exc}", file=sys.stderr)
        return EX_CONFIG
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        partitions = loop.run_until_complete(prepare_topics(settings))
    except Exception as exc:  # noqa: BLE001 - any failure here means "broker not usable"
        print(f"triage: cannot prepare Kafka topics at {settings.kafka.bootstrap}: {exc!r}",
              file=sys.stderr)
        return EX_UNAVAILABLE
    fatal = FatalExit(settings.fatal_exit_after_seconds)
    triage = create_triage(settings, policy=policy, partitions=partitions, on_fatal=fatal)
    assert triage.api is not None
    serve_asgi(triage.app, triage.api, host=settings.http_host, port=settings.http_port)
    log.info("triage: policy %s, %d case partitions, HTTP on %s:%d", policy.version,
             partitions, settings.http_host, settings.http_port)
    worker = faust.Worker(triage.app, loglevel=settings.log_level, loop=loop)
    # At warning level and above faust's progress spinner sets the root logger to DEBUG, so
    # every debug call in aiokafka builds a log record: a third of the throughput here.
    worker.spinner = None
    code: int | str | None = 0
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = exc.code
    if fatal.triggered:
        return EX_TEMPFAIL
    return code if isinstance(code, int) else 1
