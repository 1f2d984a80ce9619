"""A deadline reads the same in every event about it, whether the event was made right after a
change (times to the microsecond) or after the task went through the store (BSON dates keep
milliseconds): found by the chaos suite, where reporting saw no task "overdue now" at the county
because TaskEscalated's due_at was a few hundred microseconds later than its TaskOverdue's."""

from __future__ import annotations

import json
from datetime import timedelta

import bson
from bson.codec_options import CodecOptions

from services.tasking.adapters.codec import task_from_doc, task_to_doc
from services.tasking.domain import facts as f
from services.tasking.domain.model import Contact, Tier
from services.tasking.domain.transitions import fire
from services.tasking.events import outbox_entries
from tests.unit.tasking.builders import POLICY, T0, task

CONTACT = Contact("测试1号", "resident_id", "130826199001010014", "19900000001", "测试村1号")
NOW = T0 + timedelta(hours=3, microseconds=123_456)  # the grid deadline (T0 + 2 h) passed


def _through_the_store(doc: dict) -> dict:  # type: ignore[type-arg]
    return bson.decode(bson.encode(doc), codec_options=CodecOptions(tz_aware=True))


def _events(entries: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [{"type": e["type"], **json.loads(e["data"])} for e in entries]


def test_the_escalated_deadline_equals_the_one_reported_overdue_after_the_store() -> None:
    t = task(contact=CONTACT, person_key="a" * 64,
             due_at=T0 + timedelta(hours=2, microseconds=654_321))
    first = _events(outbox_entries(t, fire(t, NOW, POLICY), 1, NOW))
    assert [e["type"].rsplit(".", 2)[-2] for e in first] == ["overdue", "escalated"]
    escalated = first[1]
    assert t.tier == Tier.TOWNSHIP

    stored = task_from_doc(_through_the_store(task_to_doc(t)))
    later = NOW + timedelta(days=1)
    second = _events(outbox_entries(stored, fire(stored, later, POLICY), 2, later))
    overdue = second[0]
    assert overdue["tier"] == "township"
    assert overdue["due_at"] == escalated["due_at"]
    # The first deadline too: as the overdue event says, to the millisecond.
    assert first[0]["due_at"].startswith("2022-06-01T03:00:00.654")


def test_every_time_of_an_event_is_cut_to_milliseconds() -> None:
    t = task(contact=CONTACT, person_key="a" * 64,
             due_at=NOW + timedelta(hours=1, microseconds=530_865),
             assigned_at=NOW)
    (event,) = _events(outbox_entries(t, [f.Assigned(NOW)], 1, NOW))
    assert event["assigned_at"].startswith("2022-06-01T04:00:00.123")
    assert "123456" not in json.dumps(event) and "654321" not in json.dumps(event)
