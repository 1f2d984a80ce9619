"""Integration fixtures for triage: a unique topic namespace and a worker process on it."""

from __future__ import annotations

import pytest

from .worker import TriageWorker, create_topics

pytestmark = pytest.mark.integration


@pytest.fixture
async def worker(kafka_bootstrap, unique_name, tmp_path):
    namespace = unique_name("triage")
    await create_topics(kafka_bootstrap, namespace)
    w = TriageWorker(kafka_bootstrap, namespace, tmp_path / "worker")
    try:
        yield w
    finally:
        w.stop()
