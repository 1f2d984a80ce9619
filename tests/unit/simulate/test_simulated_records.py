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


@pytest.mark.parametrize("feed", FEEDS)
def test_arrivals_from_abroad_carry_a_country_and_no_origin_area(feed):
    factory = RecordFactory(random.Random(3), abroad_share=0.5)
    countries = []
    for _ in range(100):
        result = _check(feed, factory.record(feed, NOW))
        assert isinstance(result, Normalized), result
        if result.shape.get("origin_country"):
            assert result.shape.get("origin") is None
            countries.append(result.shape["origin_country"])
    assert 30 <= len(countries) <= 70
    # Given as a code or a Chinese name, intake turns every one into an ISO code.
    assert all(len(c) == 2 and c.isupper() and c != "CN" for c in countries)


def test_the_default_plan_sends_some_arrivals_from_abroad():
    from paicha.simulate.runner import Plan

    share = Plan(intake_url="http://x", token="t").abroad_share
    factory = RecordFactory(random.Random(5), abroad_share=share)
    records = [factory.record("bigdata", NOW) for _ in range(2000)]
    abroad = sum("origin_country" in r for r in records)
    assert 0 < abroad < 200
