"""Events of the reporting service: the daily close-out (日清日结) briefing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from contracts.events.base import Event, Model
from contracts.events.common import Feed
from contracts.events.intake import RejectReason
from contracts.types import AwareDatetime

Count = Annotated[int, Field(ge=0)]


class StatusCounts(Model):
    """Records by current status (verified / system fault / unreachable / pending)."""

    pushed: Count
    verified: Count
    system_fault: Count
    unreachable: Count
    pending: Count


class FeedCounts(Model):
    """One feed's figures: records pushed that day and cumulative since the campaign start."""

    feed: Feed
    today: StatusCounts
    cumulative: StatusCounts


class MeasureCounts(Model):
    """Persons (cases) whose measure has been applied."""

    centralized_quarantine: Count
    home_quarantine: Count
    health_monitoring: Count


class TestCounts(Model):
    """Tests due on the day, and of them done, positive, missed (added in v1.1)."""

    __test__ = False  # not a pytest test class

    due: Count
    done: Count
    positive: Count
    missed: Count


class TownshipCounts(Model):
    """Records pushed that day about people now in one township (added in v1.1)."""

    township_code: Annotated[str, Field(min_length=1, max_length=12,
                                        description="9-digit township code, or `unknown`")]
    today: StatusCounts


class CarriedRecord(Model):
    """A record of the day not verified at close-out, carried over with the reason (v1.1)."""

    record_id: Annotated[str, Field(min_length=1)]
    reason: Literal["system_fault", "unreachable", "pending"]


class DailyReportClosed(Event):
    """The day's figures were closed out; ``text`` is the Chinese briefing."""

    ce_type: ClassVar[str] = "cn.paicha.reporting.daily-report.closed.v1"
    topic: ClassVar[str] = "paicha.reporting.daily.v1"
    key_field: ClassVar[str] = "report_date"

    report_date: date = Field(description="Asia/Shanghai calendar day")
    campaign_start: date
    closed_at: AwareDatetime
    feeds: list[FeedCounts]
    today: StatusCounts
    cumulative: StatusCounts
    measures: MeasureCounts
    overdue: Count
    rejected_by_reason: dict[RejectReason, Count] = Field(default_factory=dict)
    text: Annotated[str, Field(min_length=1, max_length=20000)]
    escalated: Count | None = Field(default=None, description="Tasks escalated that day (v1.1)")
    tests: TestCounts | None = Field(default=None, description="Tests due that day (v1.1)")
    townships: list[TownshipCounts] | None = Field(
        default=None, description="The day's records by the township people are in (v1.1)")
    carried_over: list[CarriedRecord] | None = Field(
        default=None, description="Records of the day not verified at close-out, each with the "
        "reason; the verified ones are `today.verified` (added in v1.1)")
    carried_over_complete: bool | None = Field(
        default=None, description="False when `carried_over` was cut at 10,000 entries; the "
        "reporting API's close-out ledger has them all (added in v1.1)")
