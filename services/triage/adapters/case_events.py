"""Case events (CaseOpened / CaseMerged / CaseReclassified) built from a stored case, with the
deterministic event ids that make a re-emission after a restart carry the same ce_id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.envelope import derived_event_id
from contracts.events import (
    CaseClosed,
    CaseMerged,
    CaseOpened,
    CaseReclassified,
    LocationCodes,
    SourceRef,
)
from contracts.events import Category as CCategory
from contracts.events import Measure as CMeasure
from contracts.events import RiskLevel as CRiskLevel
from services.triage.domain import (
    Case,
    Category,
    Classification,
    Exposure,
    Measure,
    RecordFacts,
)

from .case_codec import StoredCase

_EXPOSURES = (Category.CLOSE_CONTACT, Category.SECONDARY_CLOSE_CONTACT)


def opened_id(case_id: str, record_id: str) -> str:
    return derived_event_id("triage.case.opened", case_id, record_id)


def merged_id(case_id: str, record_id: str) -> str:
    return derived_event_id("triage.case.merged", case_id, record_id)


def reclassified_by_record_id(case_id: str, record_id: str) -> str:
    return derived_event_id("triage.case.reclassified", case_id, "record", record_id)


def reclassified_by_designation_id(case_id: str, area_code: str, notice_id: str,
                                   designation_event_id: str) -> str:
    # The designation's own event id tells a corrected notice (same id, new content) apart.
    return derived_event_id("triage.case.reclassified", case_id, "designation", area_code,
                            notice_id, designation_event_id)


def closed_id(case_id: str) -> str:
    # A case closes once: a repeated or redelivered resolution re-emits the same id.
    return derived_event_id("triage.case.closed", case_id)


def origin_of(case: Case) -> str | None:
    """The origin of the record that set the classification (else the first with one)."""
    by_id = {r.record_id: r for r in case.records}
    classifier = by_id.get(case.classified_by)
    if classifier is not None and classifier.origin_code:
        return classifier.origin_code
    return next((r.origin_code for r in case.records if r.origin_code), None)


def _classifier(case: Case) -> RecordFacts | None:
    return next((r for r in case.records if r.record_id == case.classified_by), None)


def reason(c: Classification, origin: str | None, record: RecordFacts | None = None) -> str:
    """Why the case has its category, in one sentence for the worker and the audit."""
    notices = f" (notices: {', '.join(c.notice_ids)})" if c.notice_ids else ""
    where = f"the origin {origin}" if origin else "no known origin"
    exposure = record.exposure if record is not None else None
    if c.category is Category.INBOUND:
        country = record.origin_country if record is not None else None
        return f"arrived from abroad ({country or 'country not given'})"
    if c.category in _EXPOSURES:
        return (f"{c.category.value} reported; at least as severe as {where}, "
                f"which was {c.risk_level.value} risk{notices}")
    if c.category is Category.NONE:
        return f"{where}: no designated county during the stay that counts"
    stricter = (f"{exposure.value} reported, but " if exposure is not None
                and exposure is not Exposure.NONE else "")
    return (f"{stricter}stayed in {origin} during the look-back window before arrival, when it "
            f"was {c.risk_level.value} risk{notices}")


def _state(stored: StoredCase, classified_at: datetime) -> dict[str, Any]:
    case, c = stored.case, stored.case.classification
    origin = origin_of(case)
    return dict(
        case_id=case.case_id, person_key=case.person_key,
        risk_level=CRiskLevel(c.risk_level.value), category=CCategory(c.category.value),
        measure=CMeasure(c.measure.value), measure_days=c.measure_days,
        followup_measure=CMeasure(c.followed_by.measure.value if c.followed_by
                                  else Measure.NONE.value),
        followup_days=c.followed_by.days if c.followed_by else 0,
        test_days=list(c.test_days), verification_due_at=c.verification_due_at,
        test_result_due_at=c.test_result_due_at, policy_version=c.policy_version,
        notice_ids=list(c.notice_ids), origin_area_code=origin,
        sources=[SourceRef(feed=s.feed, source_record_id=s.source_record_id,  # type: ignore[arg-type]
                           record_id=s.record_id, received_at=s.received_at)
                 for s in case.sources],
        current=LocationCodes.model_validate(stored.current), classified_at=classified_at,
        reason=reason(c, origin, _classifier(case))[:2000],
    )


def case_opened(stored: StoredCase, classified_at: datetime) -> CaseOpened:
    return CaseOpened(**_state(stored, classified_at))


def case_merged(stored: StoredCase, record_id: str, classified_at: datetime) -> CaseMerged:
    merged = next(s for s in stored.case.sources if s.record_id == record_id)
    return CaseMerged(
        **_state(stored, classified_at),
        merged=SourceRef(feed=merged.feed, source_record_id=merged.source_record_id,  # type: ignore[arg-type]
                         record_id=merged.record_id, received_at=merged.received_at),
    )


def case_reclassified(stored: StoredCase, previous: Classification,
                      classified_at: datetime) -> CaseReclassified:
    return CaseReclassified(
        **_state(stored, classified_at),
        previous_category=CCategory(previous.category.value),
        previous_risk_level=CRiskLevel(previous.risk_level.value),
        previous_measure=CMeasure(previous.measure.value),
    )


def case_closed(stored: StoredCase, *, resolution: str, task_id: str,
                closed_at: datetime) -> CaseClosed:
    """The case's last classification, and why and when tasking was done with it."""
    return CaseClosed(**_state(stored, closed_at), resolution=resolution, task_id=task_id,
                      closed_at=closed_at)
