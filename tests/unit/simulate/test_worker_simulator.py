"""The grid-worker simulator reports outcomes in the configured mix and retries idempotently."""

from __future__ import annotations

import random
from collections import Counter

from paicha.simulate.workers import WorkerPlan, choose_outcome, choose_result, request_id

PLAN = WorkerPlan(tasking_url="http://tasking", admin_token="t", unreachable=0.2,
                  system_fault=0.1, not_in_area=0.1, positive=0.1, missed=0.2, seed=1)


def test_outcomes_follow_the_configured_shares() -> None:
    rng = random.Random(7)
    seen = Counter(choose_outcome(PLAN, "close_contact", rng) for _ in range(20000))
    assert abs(seen["unreachable"] / 20000 - 0.2) < 0.02
    assert abs(seen["system_fault"] / 20000 - 0.1) < 0.02
    assert abs(seen["not_in_area"] / 20000 - 0.1) < 0.02
    assert abs(seen["verified_measure_applied"] / 20000 - 0.6) < 0.02
    assert "verified_no_risk" not in seen


def test_a_person_without_risk_is_verified_with_no_risk() -> None:
    rng = random.Random(3)
    outcomes = {choose_outcome(PLAN, "none", rng) for _ in range(2000)}
    assert "verified_no_risk" in outcomes and "verified_measure_applied" not in outcomes


def test_test_results_are_missed_positive_or_negative_in_the_given_shares() -> None:
    rng = random.Random(5)
    seen = Counter(choose_result(PLAN, rng) for _ in range(20000))
    assert abs(seen[None] / 20000 - 0.2) < 0.02
    assert abs(seen["positive"] / 20000 - 0.1) < 0.02


def test_a_retried_report_carries_the_same_request_id_and_a_new_attempt_another() -> None:
    assert request_id("task-1", 1, "outcome") == request_id("task-1", 1, "outcome")
    assert request_id("task-1", 1, "outcome") != request_id("task-1", 2, "outcome")
