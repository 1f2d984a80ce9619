"""Enumerations and small value objects shared by the intake, triage and tasking events."""

from __future__ import annotations

from enum import StrEnum

from contracts.events.base import Model
from contracts.types import AreaCode, AwareDatetime, NonEmptyStr


class Feed(StrEnum):
    """The five modules of the provincial risk-screening system."""

    BIGDATA = "bigdata"
    ASSIST = "assist"
    SELFREPORT = "selfreport"
    SCREENING = "screening"
    CONTACTS = "contacts"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    OTHER = "other"


class Exposure(StrEnum):
    CLOSE_CONTACT = "close_contact"
    SECONDARY_CLOSE_CONTACT = "secondary_close_contact"
    NONE = "none"


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class AreaLevel(StrEnum):
    """Levels a published designation can give an area (low is implied, rarely published)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(StrEnum):
    CLOSE_CONTACT = "close_contact"
    SECONDARY_CLOSE_CONTACT = "secondary_close_contact"
    HIGH_RISK_AREA = "high_risk_area"
    MEDIUM_RISK_AREA = "medium_risk_area"
    LOW_RISK_AREA = "low_risk_area"
    NONE = "none"


class Measure(StrEnum):
    CENTRALIZED_QUARANTINE = "centralized_quarantine"
    HOME_QUARANTINE = "home_quarantine"
    HEALTH_MONITORING = "health_monitoring"
    NONE = "none"


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
