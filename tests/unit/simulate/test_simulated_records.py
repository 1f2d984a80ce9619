"""The simulator sends what intake accepts, and its spoiled records are rejected for a reason."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from paicha.simulate.people import SHANGHAI, RecordFactory, spoil
from paicha.simulate.runner import FEEDS
from services.intake.domain.normalize import Normalized, map_keys, normalize
from services.intake.domain.problems import Problem

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=SHANGHAI)


def _check(feed: str, raw: dict) -> Normalized | Problem:
    mapped = map_keys(feed, raw)
    return mapped if isinstance(mapped, Problem) else normalize(feed, mapped)


@pytest.mark.parametrize("feed", FEEDS)
def test_every_simulated_record_is_valid_for_intake(feed):
    factory = RecordFactory(random.Random(7))
    for _ in range(200):
        result = _check(feed, factory.record(feed, NOW))
        assert isinstance(result, Normalized), result


@pytest.mark.parametrize("feed", FEEDS)
def test_every_spoiled_record_is_rejected(feed):
    rng = random.Random(11)
    factory = RecordFactory(rng)
    reasons = set()
    for _ in range(200):
        result = _check(feed, spoil(factory.record(feed, NOW), rng))
        assert isinstance(result, Problem), "a spoiled record was accepted"
        reasons.add(result.reason)
    assert len(reasons) >= 4  # several kinds of mistakes, not one
