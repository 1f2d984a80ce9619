"""The counters equal the ground truth of a generated scenario whatever order the events of
different topics arrive in, and however often each is delivered."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.events import Event
from services.reporting.bootstrap import County
from services.reporting.domain.counters import CountingView
from services.reporting.domain.report import build_report
from services.reporting.domain.snapshot import take
from services.reporting.facts import fact_of
from tests.unit.reporting.scenario import (
    CAMPAIGN_START,
    DAYS,
    actual_figures,
    expected_report,
    generate,
)

COUNTY = County("130826", "丰", "丰宁满族自治县", {})
SCENARIO = generate(seed=7, persons=80)


def _view(events: Sequence[tuple[str, Event]]) -> CountingView:
    view = CountingView()
    for event_id, event in events:
        fact = fact_of(event)
        if fact is not None:
            view.apply(event_id, fact)
    return view


def _check(view: CountingView) -> None:
    snap = take(view)
    # The counters kept up to date fact by fact equal the ones derived from scratch.
    assert view.snapshot().figures() == snap.figures()
    for day in DAYS:
        report = build_report(snap, day, CAMPAIGN_START, COUNTY)
        assert actual_figures(report) == expected_report(SCENARIO.truth, day), day


def test_in_publication_order_counters_equal_the_ground_truth() -> None:
    _check(_view(SCENARIO.events))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), duplicate_share=st.floats(0, 1))
def test_shuffled_and_duplicated_delivery_counts_the_same(seed: int,
                                                          duplicate_share: float) -> None:
    rng = random.Random(seed)
    delivered = list(SCENARIO.events)
    delivered += rng.sample(delivered, int(len(delivered) * duplicate_share))
    rng.shuffle(delivered)
    _check(_view(delivered))
    # As the consumer delivers them: batches of any size, recounted once per batch.
    batched = CountingView()
    start = 0
    while start < len(delivered):
        size = rng.randint(1, 300)
        batched.apply_many([(eid, f) for eid, e in delivered[start:start + size]
                            if (f := fact_of(e)) is not None])
        start += size
    _check(batched)


def test_a_replay_changes_nothing() -> None:
    view = _view(SCENARIO.events)
    before = take(view).figures()
    for event_id, event in SCENARIO.events:
        fact = fact_of(event)
        if fact is not None:
            assert view.apply(event_id, fact) is False
    assert take(view).figures() == before


def test_the_scenario_exercises_every_status_and_test_outcome() -> None:
    """Guard against a generator that would make the comparison trivial."""
    day = DAYS[-1]
    expected = expected_report(SCENARIO.truth, day)
    assert all(expected["cumulative"][s] > 0 for s in
               ("verified", "system_fault", "unreachable", "pending"))
    assert all(expected["tests"]["low_risk_cumulative"][w] > 0 for w in
               ("due", "done", "positive", "missed"))
    assert expected["tasks"]["overdue_now"] > 0
    assert sum(expected["rejected"]["cumulative"].values()) > 0
