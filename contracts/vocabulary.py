"""The words every event and every service's rules share: feeds, exposures, risk levels,
categories, measures, rejection reasons. Standard library only, so the services' `domain/`
packages import them as they are and no copy can drift from the wire format."""

from __future__ import annotations

from enum import StrEnum


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

    @property
    def rank(self) -> int:
        """none 0 < low 1 < medium 2 < high 3."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {RiskLevel.NONE: 0, RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


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
    INBOUND = "inbound"  # 境外返回: an arrival from abroad (added in v1.1)


class Measure(StrEnum):
    CENTRALIZED_QUARANTINE = "centralized_quarantine"  # 集中隔离
    HOME_QUARANTINE = "home_quarantine"  # 居家医学观察
    HEALTH_MONITORING = "health_monitoring"  # 健康监测
    NONE = "none"


class RejectReason(StrEnum):
    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_TYPE = "invalid_type"
    INVALID_VALUE = "invalid_value"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_MOBILE = "invalid_mobile"
    INVALID_AREA_CODE = "invalid_area_code"
    INVALID_TIME = "invalid_time"
    TIME_ORDER = "time_order"
    OVERSIZED = "oversized"
    UNKNOWN_FEED = "unknown_feed"
    TOO_MANY_RECORDS = "too_many_records"
    UNSUPPORTED_FILE = "unsupported_file"
    BAD_ENCODING = "bad_encoding"


class IntakeChannel(StrEnum):
    HTTP = "http"
    FILE = "file"
    KAFKA = "kafka"
