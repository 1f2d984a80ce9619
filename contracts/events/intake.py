"""Events of the intake service: a normalized screening record, or a rejected input."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from contracts.events.base import Event, Model
from contracts.events.common import Exposure, Feed, IdType, Location
from contracts.types import (
    AreaCode,
    AwareDatetime,
    CountryCode,
    MobileNumber,
    NonEmptyStr,
    PersonKey,
)
from contracts.values import validate_id_number
from contracts.values.errors import to_ascii
from contracts.vocabulary import IntakeChannel, RejectReason

_RESIDENT_ID_RULE: dict[str, Any] = {
    "if": {"properties": {"id_type": {"const": "resident_id"}}},
    "then": {"properties": {"id_number": {"pattern": "^[0-9]{17}[0-9X]$"}}},
}


class Person(Model):
    """Who the record is about (PII: only on restricted topics)."""

    model_config = Model.model_config | {"json_schema_extra": _RESIDENT_ID_RULE}

    name: Annotated[str, Field(min_length=1, max_length=64)]
    id_type: IdType
    id_number: Annotated[str, Field(min_length=1, max_length=64)]
    mobile: MobileNumber | None = None

    @field_validator("id_number", mode="before")
    @classmethod
    def _check_id_number(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        if info.data.get("id_type") == IdType.RESIDENT_ID:
            return validate_id_number(value)
        return to_ascii(value).upper()


class Origin(Model):
    """The area the person came from (GB/T 2260 6-digit or NBS 9/12-digit code)."""

    area_code: AreaCode
    area_name: NonEmptyStr


class BigdataSignal(StrEnum):
    ELECTRONIC_FENCE = "electronic_fence"
    POLICE_TRACK = "police_track"
    CLOSE_CONTACT_CLUE = "close_contact_clue"
    FAST_SCREENING = "fast_screening"


class SelfreportChannel(StrEnum):
    MINI_PROGRAM = "mini_program"
    HOTLINE = "hotline"
    COMMUNITY = "community"
    OTHER = "other"


class ContactKind(StrEnum):
    HOUSEHOLD = "household"
    WORKPLACE = "workplace"
    TRANSPORT = "transport"
    SAME_SPACE = "same_space"
    OTHER = "other"


def _feed_required(schema: dict[str, Any]) -> None:
    schema["required"] = ["feed", *schema.get("required", [])]


class _Details(Model):
    """Feed-specific fields; ``feed`` is the discriminator (always on the wire)."""

    model_config = Model.model_config | {"json_schema_extra": _feed_required}


class BigdataDetails(_Details):
    feed: Literal["bigdata"] = "bigdata"
    signal: BigdataSignal


class AssistDetails(_Details):
    feed: Literal["assist"] = "assist"
    request_id: NonEmptyStr
    requesting_province: NonEmptyStr
    reply_by: AwareDatetime


class SelfreportDetails(_Details):
    feed: Literal["selfreport"] = "selfreport"
    channel: SelfreportChannel
    reported_at: AwareDatetime | None = None


class ScreeningDetails(_Details):
    feed: Literal["screening"] = "screening"
    screened_by: NonEmptyStr
    checkpoint: NonEmptyStr | None = None


class ContactsDetails(_Details):
    feed: Literal["contacts"] = "contacts"
    case_ref: NonEmptyStr
    last_contact_at: AwareDatetime
    contact_kind: ContactKind


FeedDetails = Annotated[
    BigdataDetails | AssistDetails | SelfreportDetails | ScreeningDetails | ContactsDetails,
    Field(discriminator="feed"),
]


class RecordReceived(Event):
    """A screening record intake accepted and normalized (restricted: carries PII)."""

    ce_type: ClassVar[str] = "cn.paicha.intake.record.received.v1"
    topic: ClassVar[str] = "paicha.intake.records.v1"
    key_field: ClassVar[str] = "person_key"

    record_id: NonEmptyStr
    feed: Feed
    source_record_id: NonEmptyStr
    received_at: AwareDatetime = Field(description="When intake accepted the record")
    person_key: PersonKey
    person: Person
    origin: Origin | None = Field(default=None, description="Null when the feed gives none")
    departed_at: AwareDatetime | None = None
    arrived_at: AwareDatetime | None = Field(
        default=None, description="Null when the feed gives none; triage then counts back "
        "from received_at"
    )
    current: Location
    exposure: Exposure
    details: FeedDetails
    channel: IntakeChannel | None = Field(
        default=None, description="How the record first reached intake (added in v1.1)"
    )
    origin_country: CountryCode | None = Field(
        default=None, description="The person arrived from abroad (境外返回): the country they "
        "came from; `origin` is then null (added in v1.1)"
    )

    # Time order (departed <= arrived <= now) is intake's rule (reason time_order), not a wire
    # constraint: consumers must not drop an accepted record over it.
    @model_validator(mode="after")
    def _consistent(self) -> RecordReceived:
        if self.details.feed != self.feed:
            raise ValueError(f"details are for feed {self.details.feed}, record is {self.feed}")
        return self


class InputRejected(Event):
    """An input intake could not accept (restricted: the original payload is kept)."""

    ce_type: ClassVar[str] = "cn.paicha.intake.input.rejected.v1"
    topic: ClassVar[str] = "paicha.intake.rejected.v1"
    key_field: ClassVar[str] = "rejection_id"

    rejection_id: NonEmptyStr
    feed: Annotated[str, Field(min_length=1, max_length=64)]
    channel: IntakeChannel
    reason: RejectReason
    field: Annotated[str, Field(max_length=256)] | None = None
    message: Annotated[str, Field(min_length=1, max_length=2000)]
    payload: str = Field(description="The original input as text (may be truncated)")
    payload_truncated: bool = False
    source_record_id: NonEmptyStr | None = None
    index: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Position in a pushed list or Kafka batch (0-based)"
    )
    row: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Row number of an uploaded file as the spreadsheet shows it, "
        "header = row 1 (added in v1.1)"
    )
    received_at: AwareDatetime
