"""The domain's own enums carry exactly the wire values of the contracts."""

from __future__ import annotations

from contracts.events import tasking as wire
from services.tasking.domain import model


def test_domain_enums_equal_the_contract_enums() -> None:
    assert [t.value for t in model.Tier] == [t.value for t in wire.Tier]
    assert [o.value for o in model.Outcome] == [o.value for o in wire.Outcome]
    assert [r.value for r in model.TestResult] == [r.value for r in wire.TestResult]
