"""Events of the triage service: risk-area designations and classified cases (no PII)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from contracts.events.base import Event, Model
from contracts.events.common import (
    AreaLevel,
    Category,
    LocationCodes,
    Measure,
    RiskLevel,
    SourceRef,
)
from contracts.types import AreaCode, AwareDatetime, NonEmptyStr, PersonKey

Days = Annotated[int, Field(ge=0, le=365)]
TestDay = Annotated[int, Field(ge=1, le=365)]


class RiskAreaDesignated(Event):
    """A published designation of an area's risk level over an effective interval."""

    ce_type: ClassVar[str] = "cn.paicha.triage.risk-area.designated.v1"
    topic: ClassVar[str] = "paicha.triage.risk-areas.v1"
    key_field: ClassVar[str] = "area_code"

    area_code: AreaCode
    area_name: NonEmptyStr
    level: AreaLevel
    effective_from: AwareDatetime
    effective_to: AwareDatetime | None = Field(
        default=None, description="Exclusive; null = until lifted"
    )
    notice_id: NonEmptyStr
    designated_at: AwareDatetime | None = None
    designated_by: NonEmptyStr | None = Field(
        default=None, description="Owner name of the token that designated it over the admin "
        "API (added in v1.1)"
    )


class CaseState(Model):
    """What every case event carries: the case's classification after the event."""

    case_id: NonEmptyStr
    person_key: PersonKey
    risk_level: RiskLevel
    category: Category
    measure: Measure
    measure_days: Days
    followup_measure: Measure = Field(
        default=Measure.NONE, description="e.g. home health monitoring after centralized quarantine"
    )
    followup_days: Days = 0
    test_days: list[TestDay] = Field(description="Days (1 = arrival day) a test is due")
    verification_due_at: AwareDatetime
    test_result_due_at: AwareDatetime | None = None
    policy_version: NonEmptyStr
    notice_ids: list[NonEmptyStr] = Field(
        default_factory=list, description="Designations that set risk_level (audit)"
    )
    origin_area_code: AreaCode | None = None
    sources: list[SourceRef] = Field(min_length=1)
    current: LocationCodes
    classified_at: AwareDatetime
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class _CaseEvent(Event, CaseState):
    topic: ClassVar[str] = "paicha.triage.cases.v1"
    key_field: ClassVar[str] = "case_id"


class CaseOpened(_CaseEvent):
    """A person's first record opened a case with its category, measure and deadlines."""

    ce_type: ClassVar[str] = "cn.paicha.triage.case.opened.v1"


class CaseMerged(_CaseEvent):
    """Another record about the same person joined an open case; its classification stays."""

    ce_type: ClassVar[str] = "cn.paicha.triage.case.merged.v1"

    merged: SourceRef


class CaseReclassified(_CaseEvent):
    """A more severe record or a re-triage (new designation, policy) changed the category."""

    ce_type: ClassVar[str] = "cn.paicha.triage.case.reclassified.v1"

    previous_category: Category
    previous_risk_level: RiskLevel
    previous_measure: Measure


class CaseClosed(_CaseEvent):
    """Tasking resolved the case (CaseResolved); a later record about the person opens a new
    case. The state is the case's last classification."""

    ce_type: ClassVar[str] = "cn.paicha.triage.case.closed.v1"

    resolution: Annotated[str, Field(min_length=1, max_length=64)]
    task_id: NonEmptyStr
    closed_at: AwareDatetime
