"""Small value objects shared by the intake, triage and tasking events, and the shared
vocabulary (enums from contracts.vocabulary)."""

from __future__ import annotations

from contracts.events.base import Model
from contracts.types import AreaCode, AwareDatetime, NonEmptyStr
from contracts.vocabulary import (  # re-exported: the events' vocabulary lives there
    AreaLevel,
    Category,
    Exposure,
    Feed,
    IdType,
    Measure,
    RiskLevel,
)

__all__ = [
    "AreaLevel", "Category", "Exposure", "Feed", "IdType", "Location", "LocationCodes",
    "Measure", "RiskLevel", "SourceRef",
]


class LocationCodes(Model):
    """Where a person is now, as area codes only (safe for unrestricted topics)."""

    county_code: AreaCode
    township_code: AreaCode | None = None
    village_code: AreaCode | None = None


class Location(LocationCodes):
    """Where a person is now, with the street address (restricted topics only)."""

    address: NonEmptyStr | None = None


class SourceRef(Model):
    """One intake record that contributed to a case (no PII: ids and times only)."""

    feed: Feed
    source_record_id: NonEmptyStr
    record_id: NonEmptyStr
    received_at: AwareDatetime
