"""Tasks and policies for tasking's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.tasking.domain.model import Contact, Source, Status, Task, Tier
from services.tasking.policy import load_policy

POLICY = load_policy()
# 2022-06-01 09:00 in Asia/Shanghai
T0 = datetime(2022, 6, 1, 1, 0, tzinfo=UTC)
CONTACT = Contact("测试1号", "resident_id", "130826199001010016", "19900000001", "测试村1号")


def task(**overrides: object) -> Task:
    values: dict[str, object] = dict(
        task_id="task-1", case_id="case-1", person_key="pk-1", status=Status.ASSIGNED,
        tier=Tier.GRID, grid_id="130826100-g1", county_code="130826",
        township_code="130826100", village_code="130826100200",
        category="high_risk_area", risk_level="high", measure="centralized_quarantine",
        measure_days=7, followup_days=0, test_days=[1, 2, 3, 5, 7],
        sources=[Source("bigdata", "src-1", "rec-1", T0)], due_at=T0 + timedelta(hours=2),
        assigned_at=T0, arrived_at=T0)
    values.update(overrides)
    return Task(**values)  # type: ignore[arg-type]
