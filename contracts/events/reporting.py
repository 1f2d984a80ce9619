"""Events of the reporting service: the daily close-out (日清日结) briefing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

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
