"""One consumed message to (event id, fact): decoded through contracts.envelope, so a malformed
message is an EnvelopeError the consumer logs and counts, never a crash."""

from __future__ import annotations

from typing import Any

from contracts.envelope import decode_envelope
from services.reporting.facts import fact_of


def message_fact(headers: Any, value: bytes | None, key: bytes | None
                 ) -> tuple[str, str, dict[str, Any] | None]:
    """(event id, event type, fact or None when reporting does not count this type)."""
    envelope = decode_envelope(headers or [], value or b"", key)
    return envelope.id, envelope.type, fact_of(envelope.event)
