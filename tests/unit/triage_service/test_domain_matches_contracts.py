"""The triage domain keeps its own enums (standard library only); the wire has the contracts'.
They must name the same values, or mapping a case to an event would fail at run time."""

from __future__ import annotations

import pytest

from contracts.events import common as wire
from services.triage.domain import model as domain


@pytest.mark.parametrize(
    ("domain_enum", "wire_enum"),
    [
        (domain.Category, wire.Category),
        (domain.Measure, wire.Measure),
        (domain.RiskLevel, wire.RiskLevel),
        (domain.Exposure, wire.Exposure),
    ],
)
def test_domain_enum_values_are_the_contract_values(domain_enum, wire_enum):
    assert {m.value for m in domain_enum} == {m.value for m in wire_enum}
