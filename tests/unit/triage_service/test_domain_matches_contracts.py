"""The triage rules and the events speak one vocabulary: the very same enum classes."""

from __future__ import annotations

import pytest

from contracts import events
from services.triage import domain


@pytest.mark.parametrize("name", ["Category", "Measure", "RiskLevel", "Exposure"])
def test_domain_vocabulary_is_the_contract_vocabulary(name):
    assert getattr(domain, name) is getattr(events, name)
