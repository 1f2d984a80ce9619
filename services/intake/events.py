"""Building the contracts' events from domain results: RecordReceived for a normalized record,
InputRejected for a refused one (payload kept, truncated past PAYLOAD_LIMIT)."""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import derived_event_id
from contracts.events import InputRejected, IntakeChannel, RecordReceived, RejectReason
from contracts.values import person_key
from services.intake.domain.ids import payload_digest
from services.intake.domain.normalize import Normalized
from services.intake.domain.problems import Problem

PAYLOAD_LIMIT = 8192
"""Characters of the original input kept in an InputRejected event."""


def record_id(feed: str, source_record_id: str) -> str:
    """The record id, also the CloudEvent id: uuid5 of (intake.record, feed, source id)."""
    return derived_event_id("intake.record", feed, source_record_id)


def build_record(normalized: Normalized, rid: str, received_at: datetime,
                 secret: bytes, channel: IntakeChannel | None = None) -> RecordReceived:
    """Validated by the contract model too (a safety net against domain/contract drift)."""
    return RecordReceived.model_validate({
        **normalized.shape,
        "record_id": rid,
        "received_at": received_at,
        "person_key": person_key(normalized.id_type, normalized.id_number, secret),
        "channel": channel,
    })


def build_rejection(feed: str, channel: IntakeChannel, problem: Problem, payload: str,
                    position: int | None, received_at: datetime,
                    source_record_id: str | None = None) -> InputRejected:
    """Same feed, channel, reason, field and payload give the same rejection id."""
    truncated = len(payload) > PAYLOAD_LIMIT
    rejection_id = derived_event_id("intake.rejected", feed, channel.value, problem.reason,
                                    problem.field or "", payload_digest(payload))
    return InputRejected(
        rejection_id=rejection_id, feed=feed[:64] or "unknown", channel=channel,
        reason=RejectReason(problem.reason), field=(problem.field or "")[:256] or None,
        message=problem.message[:2000] or problem.reason, payload=payload[:PAYLOAD_LIMIT],
        payload_truncated=truncated, source_record_id=(source_record_id or "")[:512] or None,
        # A file's rejections are numbered as the spreadsheet shows its rows; others by index.
        index=position if channel is not IntakeChannel.FILE and position is not None
        and position >= 0 else None,
        row=position if channel is IntakeChannel.FILE and position is not None
        and position >= 1 else None,
        received_at=received_at,
    )
