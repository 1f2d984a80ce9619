"""Designations arrive in any order (replays, rebalances): the same set always yields the same
history, the same in-force listing and the same classifications. A case ends at the most
severe of its records whatever order they came in."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.domain import (
    Case,
    Designation,
    Exposure,
    RecordFacts,
    RiskAreaRegistry,
    RiskLevel,
    apply_record,
    classify,
    default_policy,
)

from .builders import (
    COUNTY,
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    OTHER_VILLAGE_SAME_TOWNSHIP,
    TOWNSHIP,
    VILLAGE,
    at,
    record,
)

POLICY = default_policy()
CODES = [COUNTY, TOWNSHIP, VILLAGE, OTHER_VILLAGE_SAME_TOWNSHIP, OTHER_TOWNSHIP_VILLAGE,
         OTHER_COUNTY_VILLAGE]


@st.composite
def designations(draw: st.DrawFn) -> Designation:
    start = at(hours=draw(st.integers(-20 * 24, 2 * 24)))
    length = draw(st.none() | st.integers(1, 15 * 24))
    return Designation(
        area_code=draw(st.sampled_from(CODES)),
        level=draw(st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW])),
        effective_from=start,
        effective_to=None if length is None else start + timedelta(hours=length),
        notice_id=f"n-{draw(st.integers(0, 6))}",
    )


designation_sets = st.lists(designations(), max_size=10, unique_by=lambda d: d.key)
records = st.builds(
    lambda origin, departed_h, exposure: record(origin=origin, departed=at(hours=-departed_h),
                                                exposure=exposure),
    st.sampled_from(CODES), st.integers(0, 9 * 24), st.sampled_from(list(Exposure)))


@settings(max_examples=200, deadline=None)
@given(st.data(), designation_sets, st.lists(records, min_size=1, max_size=5))
def test_same_designations_in_any_order_give_the_same_state(data: st.DataObject,
                                                           given_set: list[Designation],
                                                           probes: list[RecordFacts]) -> None:
    shuffled = data.draw(st.permutations(given_set))
    one, other = RiskAreaRegistry(given_set), RiskAreaRegistry(shuffled)
    assert one.designations() == other.designations()
    for code in CODES:
        assert one.history(code) == other.history(code)
    for hours in range(-22 * 24, 4 * 24, 7):
        assert one.in_force(at(hours=hours)) == other.in_force(at(hours=hours))
    for facts in probes:
        assert classify(facts, one, POLICY) == classify(facts, other, POLICY)


@settings(max_examples=100, deadline=None)
@given(st.data(), designation_sets, st.lists(records, min_size=1, max_size=6))
def test_case_ends_at_its_most_severe_record_in_any_order(data: st.DataObject,
                                                         given_set: list[Designation],
                                                         drawn: list[RecordFacts]) -> None:
    facts = [replace(f, record_id=f"rec-{n}", source_record_id=f"src-{n}")
             for n, f in enumerate(drawn)]
    areas = RiskAreaRegistry(given_set)
    case: Case | None = None
    for item in data.draw(st.permutations(facts)):
        case = apply_record(case, item, areas, POLICY).case
    assert case is not None
    strongest = max(POLICY.rank(classify(f, areas, POLICY).category) for f in facts)
    assert POLICY.rank(case.classification.category) == strongest
    assert sorted(s.record_id for s in case.sources) == sorted(f.record_id for f in facts)
