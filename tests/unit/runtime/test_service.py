"""paicha_runtime.service: how a service exits on bad settings or a bad start-up file, and how
its background tasks are ended."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from paicha_runtime.service import serve, stop_tasks


class Http(BaseModel):
    host: str = "127.0.0.1"
    port: int = 0


class Settings(BaseModel):
    log_level: str = "INFO"
    http: Http = Http()


def not_built(_: Settings) -> FastAPI:
    raise AssertionError("the app must not be built")


class PolicyError(Exception):
    pass


def test_invalid_settings_exit_2_with_the_field_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        serve("svc", lambda: Settings.model_validate({"http": {"port": "x"}}), not_built)
    assert exit_.value.code == 2
    assert "svc: invalid settings" in capsys.readouterr().err


def test_a_named_start_up_error_exits_2_with_its_message(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    def create(_: Settings) -> FastAPI:
        raise PolicyError("policy.yaml: not valid YAML")

    with pytest.raises(SystemExit) as exit_:
        serve("svc", Settings, create, invalid={PolicyError: "invalid policy"})
    assert exit_.value.code == 2
    assert "svc: invalid policy: policy.yaml: not valid YAML" in capsys.readouterr().err


async def test_a_task_that_ignores_its_stop_flag_is_cancelled() -> None:
    stubborn = asyncio.create_task(asyncio.sleep(60))
    finished = asyncio.create_task(asyncio.sleep(0))
    await stop_tasks([finished, stubborn], grace_s=0.1)
    assert finished.done() and not finished.cancelled()
    assert stubborn.cancelled()
