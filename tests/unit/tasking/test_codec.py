"""The task document: the same plain data `dataclasses.asdict` would give (tests, assists,
contact, sources included), and read back into an equal task."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from services.tasking.adapters.codec import _plain, task_from_doc, task_to_doc
from services.tasking.domain import transitions as tr
from services.tasking.domain.model import Assist, Outcome
from tests.unit.tasking.builders import CONTACT, POLICY, T0, task


def test_a_task_document_is_its_plain_data_and_reads_back_equal() -> None:
    t = task(contact=CONTACT, announced=True)
    tr.add_assist(t, Assist("rec-1", "src-1", "XC-1", "测试省", T0 + timedelta(hours=1)), T0)
    tr.start(t, "w-1", T0)
    tr.record_outcome(t, Outcome.VERIFIED_MEASURE_APPLIED, measure_applied=None, by="w-1",
                      note="ok", request_id="r-1", now=T0 + timedelta(hours=1), policy=POLICY)
    assert t.tests and t.assists
    doc = task_to_doc(t)
    expected = _plain(asdict(t))
    expected["_id"] = expected.pop("task_id")
    assert doc == {**expected, "open": False}
    assert task_from_doc(doc) == t
