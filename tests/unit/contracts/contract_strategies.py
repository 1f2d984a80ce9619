"""Hypothesis strategies for synthetic screening data (valid check digits, fake names)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from contracts.events import Event
from contracts.samples import sample_events
from contracts.types import SHANGHAI
from contracts.values import PROVINCE_CODES, check_digit

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """Valid resident ID numbers: known province, random area, birth 1900..today, any seq."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    area = province + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
    seq = draw(st.integers(0, 999))
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
area_codes = st.builds(
    lambda p, rest: p + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.from_regex(r"([0-9]{4}|[0-9]{7}|[0-9]{10})", fullmatch=True),
)
aware_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, SHANGHAI, timezone(timedelta(hours=-5))]),
)
texts = st.text(min_size=1, max_size=40)
person_keys = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)


@st.composite
def persons(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "name": draw(st.text(min_size=1, max_size=64)),
        "id_type": "resident_id",
        "id_number": draw(id_numbers()),
        "mobile": draw(st.none() | mobiles),
    }


# Fields that can vary freely without breaking cross-field rules.
_FREE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "person_key": person_keys,
    "person": persons(),
    "record_id": texts, "case_id": texts, "task_id": texts, "test_task_id": texts,
    "rejection_id": texts, "source_record_id": texts, "notice_id": texts, "grid_id": texts,
    "area_name": texts, "reason": texts, "message": texts, "payload": st.text(max_size=200),
    "text": texts, "note": st.none() | st.text(max_size=100), "recorded_by": texts,
    "received_at": aware_datetimes, "recorded_at": aware_datetimes,
    "closed_at": aware_datetimes, "assigned_at": aware_datetimes,
    "classified_at": aware_datetimes, "scheduled_at": aware_datetimes,
    "escalated_at": aware_datetimes, "detected_at": aware_datetimes,
    "verification_due_at": aware_datetimes, "policy_version": texts,
    "test_days": st.lists(st.integers(1, 365), max_size=8),
    "measure_days": st.integers(0, 365),
}


def _varied(sample: Event) -> st.SearchStrategy[Event]:
    model_fields = type(sample).model_fields
    fields = {
        k: v for k, v in _FREE_FIELDS.items()
        if k in model_fields and (v is not texts or model_fields[k].annotation is str)
    }
    base = sample.model_dump()
    return st.fixed_dictionaries(fields).map(
        lambda overrides: type(sample).model_validate({**base, **overrides})
    )


events = st.one_of([_varied(sample) for sample in sample_events()])
"""Any public event type, with ids, texts, times and people drawn at random."""
