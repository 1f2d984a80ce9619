"""A case survives the trip through the table's bytes unchanged, whatever the record mix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.events import Exposure, Feed
from services.triage.adapters.case_codec import StoredCase, decode_case, encode_case
from services.triage.adapters.mapping import current_codes, facts_from_record
from services.triage.domain import RiskAreaRegistry, apply_record, default_policy

from .builders import T0, record

POLICY = default_policy()
ORIGINS = st.sampled_from([None, "110105", "110105001", "110105001002", "130826200101"])


@st.composite
def records(draw):
    feed = draw(st.sampled_from(list(Feed)))
    return record(1, record_id=f"r-{draw(st.integers(0, 10_000))}", feed=feed,
                  origin=draw(ORIGINS), exposure=draw(st.sampled_from(list(Exposure))),
                  received_at=T0 + timedelta(minutes=draw(st.integers(0, 10_000))))


@settings(max_examples=60, deadline=None)
@given(st.lists(records(), min_size=1, max_size=5), st.integers(0, 5))
def test_a_stored_case_decodes_to_the_same_case(events, partition):
    case = None
    for event in events:
        case = apply_record(case, facts_from_record(event), RiskAreaRegistry(), POLICY).case
    assert case is not None
    stored = StoredCase(case, partition, current_codes(events[-1]))
    assert decode_case(encode_case(stored)) == stored


def test_an_unknown_stored_format_is_refused():
    with pytest.raises(ValueError, match="unknown stored case format"):
        decode_case(b'{"v": 99}')
