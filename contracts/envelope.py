"""CloudEvents 1.0 Kafka binary-mode envelope: the one encode/decode helper every service uses.

Attributes travel as ``ce_*`` headers (through the SDK's ``cloudevents.core.bindings.kafka``),
the value is the event's JSON (pydantic/orjson, no jsonschema on this path), the key is the
entity id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from cloudevents.core.bindings import kafka
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import ValidationError

from contracts.events import EVENT_TYPES, Event

CONTENT_TYPE = "application/json"
SCHEMA_BASE_URI = "https://schemas.paicha.example/"
EVENT_ID_NAMESPACE = uuid.UUID("5b1c2f0e-8f4a-5d6e-9a37-0c1d2e3f4a5b")


class EnvelopeError(ValueError):
    """A Kafka message is not a valid paicha event; route it to a dead-letter topic."""


class MissingHeaderError(EnvelopeError):
    """A required ``ce_*`` header is missing or unreadable (not a binary-mode CloudEvent)."""


class UnknownEventTypeError(EnvelopeError):
    """``ce_type`` names no public event type."""


class MalformedJsonError(EnvelopeError):
    """The value is not JSON."""


class SchemaMismatchError(EnvelopeError):
    """The JSON does not match the model for its ``ce_type``."""


@dataclass(frozen=True, slots=True)
class Message:
    """What to hand to ``AIOKafkaProducer.send(topic, value, key=, headers=)``."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Envelope:
    """A decoded message: the CloudEvents attributes and the event model."""

    id: str
    source: str
    type: str
    time: datetime | None
    subject: str | None
    key: str | None
    event: Event


class _PassThroughJSON(JSONFormat):
    """Keeps the value as bytes so pydantic parses it once (SDK would json.loads it)."""

    def read_data(self, body: bytes, datacontenttype: str | None) -> Any:
        return body


_FORMAT = _PassThroughJSON()


def schema_uri(ce_type: str) -> str:
    """The ``dataschema`` / ``$id`` of the committed JSON Schema for a type."""
    return f"{SCHEMA_BASE_URI}{ce_type}.json"


def derived_event_id(*parts: object) -> str:
    """A deterministic event id (uuid5) for an event derived from others: same parts, same id."""
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, orjson.dumps([str(p) for p in parts]).decode()))


def encode(
    event: Event,
    *,
    source: str,
    key: str | bytes,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> Message:
    """Wrap an event for Kafka; ``subject`` defaults to the key, ``time`` to now (UTC)."""
    key_text = key.decode() if isinstance(key, bytes) else key
    if time is not None and time.tzinfo is None:
        raise ValueError("event time must be timezone-aware")
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": event.ce_type,
        "time": time or datetime.now(UTC),
        "subject": subject or key_text,
        "dataschema": schema_uri(event.ce_type),
        "datacontenttype": CONTENT_TYPE,
    }
    cloud_event = CloudEvent(attributes, event.model_dump_json().encode())
    message = kafka.to_binary(cloud_event, _FORMAT, key_mapper=lambda _: key_text.encode())
    assert isinstance(message.key, bytes)
    return Message(message.key, message.value, list(message.headers.items()))


def _header_dict(headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes]) -> dict[str, bytes]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {name: bytes(value) for name, value in pairs if value is not None}


def decode_envelope(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes],
    value: bytes,
    key: bytes | None = None,
) -> Envelope:
    """Parse a consumed message; raises an EnvelopeError subclass saying what is wrong."""
    header_map = _header_dict(headers)
    ce_type = header_map.get("ce_type", b"").decode("utf-8", "replace")
    if not ce_type:
        raise MissingHeaderError("no ce_type header: not a binary-mode CloudEvent")
    model = EVENT_TYPES.get(ce_type)
    if model is None:
        raise UnknownEventTypeError(f"unknown event type {ce_type!r}")
    if header_map.get("ce_specversion") != b"1.0":
        got = header_map.get("ce_specversion")
        raise MissingHeaderError(f"ce_specversion must be 1.0, got {got!r}")
    for required in ("ce_id", "ce_source"):  # the SDK would invent a missing id
        if not header_map.get(required):
            raise MissingHeaderError(f"no {required} header on a {ce_type} event")
    # The SDK parses ce_time with dateutil (~5 µs); the stdlib parser is 50x faster.
    time_header = header_map.pop("ce_time", None)
    try:
        time = datetime.fromisoformat(time_header.decode()) if time_header else None
        cloud_event = kafka.from_binary(
            kafka.KafkaMessage(headers=header_map, key=key, value=value or b""), _FORMAT, CloudEvent
        )
    except (BaseCloudEventException, ValueError, UnicodeDecodeError) as exc:
        raise MissingHeaderError(f"bad CloudEvents headers for {ce_type}: {exc}") from exc
    try:
        event = model.model_validate_json(value)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            detail = exc.errors()[0]["msg"]
            raise MalformedJsonError(f"{ce_type} value is not JSON: {detail}") from exc
        raise SchemaMismatchError(f"{ce_type} value does not match its schema: {exc}") from exc
    return Envelope(
        id=cloud_event.get_id(),
        source=cloud_event.get_source(),
        type=ce_type,
        time=time,
        subject=cloud_event.get_subject(),
        key=key.decode("utf-8", "replace") if key is not None else None,
        event=event,
    )


def decode(
    headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes], value: bytes
) -> Event:
    """The event model in a consumed message (use ``decode_envelope`` for ce_id etc.)."""
    return decode_envelope(headers, value).event
