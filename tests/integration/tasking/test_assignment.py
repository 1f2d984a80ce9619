"""Assignment over real Kafka and store: least-loaded grid, township and county pools, a case
before its record, redelivery, reclassification and merge of the same task."""

from __future__ import annotations

import pytest

from contracts import events as ev
from services.tasking.handlers import task_id_for
from tests.integration.tasking.conftest import Running, types
from tests.integration.tasking.helpers import case, record

pytestmark = pytest.mark.integration
TASKS = "paicha.tasking.tasks.v1"


async def test_a_case_goes_to_the_least_loaded_grid_covering_the_village(tasking: Running
                                                                         ) -> None:
    now = tasking.clock.now()
    await tasking.put_grid("130826102-g1", "130826102", ["130826102200", "130826102201"])
    await tasking.put_grid("130826102-g2", "130826102", ["130826102200"])
    kw = dict(now=now, township="130826102", village="130826102200")
    await tasking.send(record(101, **kw), case(101, **kw))
    first = await tasking.task("case-101", lambda t: t["person"] is not None)
    await tasking.send(record(102, **kw), case(102, **kw))
    second = await tasking.task("case-102", lambda t: t["person"] is not None)
    assert {first["grid_id"], second["grid_id"]} == {"130826102-g1", "130826102-g2"}
    assert first["tier"] == second["tier"] == "grid"
    assert first["person"]["name"] == "测试101号" and first["address"] == "测试村101号"
    found = await tasking.wait_events(TASKS, lambda es: len(types(es, first["task_id"])) >= 1)
    (assigned,) = [e.event for e in found if e.event.task_id == first["task_id"]]
    assert isinstance(assigned, ev.TaskAssigned) and assigned.pool_reason is None
    assert assigned.person.mobile == "19900000101" and assigned.test_days == [1, 2, 3, 5, 7]


async def test_cases_sent_together_are_spread_over_the_grids_of_their_village(
        tasking: Running) -> None:
    """Cases of one consumer batch count a grid's load once and then see each other's
    assignments: four cases at once for a village of two grids give each grid two."""
    now = tasking.clock.now()
    await tasking.put_grid("130826101-g1", "130826101", ["130826101200"])
    await tasking.put_grid("130826101-g2", "130826101", ["130826101200"])
    kw = dict(now=now, township="130826101", village="130826101200")
    seqs = range(151, 155)
    await tasking.send(*(e for seq in seqs for e in (record(seq, **kw), case(seq, **kw))))
    tasks = [await tasking.task(f"case-{seq}", lambda t: t["person"] is not None)
             for seq in seqs]
    grids = sorted(t["grid_id"] for t in tasks)
    assert grids == ["130826101-g1"] * 2 + ["130826101-g2"] * 2


async def test_no_grid_for_the_village_goes_to_the_township_pool_then_the_county(
        tasking: Running) -> None:
    now = tasking.clock.now()
    town = dict(now=now, township="130826103", village="130826103299")
    county = dict(now=now, township=None, village=None)
    await tasking.send(record(111, **town), case(111, **town),
                       record(112, **county), case(112, **county))
    pooled = await tasking.task("case-111", lambda t: t["person"] is not None)
    assert (pooled["tier"], pooled["grid_id"]) == ("township", "pool-130826103")
    top = await tasking.task("case-112", lambda t: t["person"] is not None)
    assert (top["tier"], top["grid_id"]) == ("county", "pool-130826")
    found = await tasking.wait_events(
        TASKS, lambda es: {top["task_id"], pooled["task_id"]} <= {e.event.task_id for e in es})
    by_task = {e.event.task_id: e.event for e in found}
    assert by_task[pooled["task_id"]].pool_reason == (
        "no grid covers village 130826103299: township pool")
    assert by_task[top["task_id"]].tier == ev.Tier.COUNTY
    assert "county pool" in by_task[top["task_id"]].pool_reason
    assert tasking.metric("paicha_tasking_pool_assignments_total", tier="township") >= 1
    assert tasking.metric("paicha_tasking_pool_assignments_total", tier="county") >= 1


async def test_a_case_before_its_record_is_visible_and_announced_when_the_contact_comes(
        tasking: Running) -> None:
    now = tasking.clock.now()
    await tasking.send(case(121, now=now))
    early = await tasking.task("case-121")
    assert early["person"] is None and early["status"] == "assigned"
    assert types(await tasking.events(TASKS), early["task_id"]) == []  # no TaskAssigned yet
    await tasking.send(record(121, now=now))
    late = await tasking.task("case-121", lambda t: t["person"] is not None)
    assert late["person"]["id_number"].startswith("130826")
    found = await tasking.wait_events(TASKS, lambda es: types(es, late["task_id"]) != [])
    assert types(found, late["task_id"]) == ["task.assigned"]  # once, with the contact


async def test_redelivered_and_reclassified_cases_change_the_one_task(tasking: Running) -> None:
    now = tasking.clock.now()
    opened = case(131, now=now, category="low_risk_area", test_days=[1, 3], measure_days=3)
    await tasking.send(record(131, now=now), opened, opened)
    task = await tasking.task("case-131", lambda t: t["person"] is not None)
    assert task["measure"] == "health_monitoring"
    await tasking.send(case(131, now=now, kind=ev.CaseReclassified, category="close_contact",
                            previous_category="low_risk_area", previous_risk_level="low",
                            previous_measure="health_monitoring"))
    revised = await tasking.task("case-131", lambda t: t["category"] == "close_contact")
    assert revised["task_id"] == task["task_id"] and revised["measure"] == "centralized_quarantine"
    merged_source = ev.SourceRef(feed=ev.Feed.SELFREPORT, source_record_id="src-131-1",
                                 record_id="rec-131-1", received_at=now)
    await tasking.send(case(131, now=now, kind=ev.CaseMerged, category="close_contact",
                            extra_sources=1, merged=merged_source))
    found = await tasking.wait_events(TASKS, lambda es: len(types(es, task["task_id"])) >= 3)
    events = [e.event for e in found if e.event.task_id == task["task_id"]]
    assert [type(e).__name__ for e in events] == ["TaskAssigned", "TaskRevised", "TaskRevised"]
    assert [s.record_id for s in events[-1].sources] == ["rec-131", "rec-131-1"]
    own = await tasking.components.store.find({"person_key": events[0].person_key})
    assert [t.task_id for t in own] == [task_id_for("case-131")]
