"""The internal re-triage command: one per case partition for each designation, on a topic
co-partitioned with the records, so the worker that owns a partition's cases re-triages them.

It carries the designation itself, so a worker never waits for the designation to reach it by
another path before re-triaging.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from contracts.events import RiskAreaDesignated

COMMAND_HEADER = "paicha_command"
RETRIAGE = b"triage.retriage.v1"


class RetriageCommand(BaseModel):
    """Re-triage the open cases of `partition` against `designation` (imperative: a command)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    designation: RiskAreaDesignated
    designation_event_id: str
    # Deadlines of raised cases count from here (the designation's time), so a replay
    # derives the same deadlines.
    effective_now: datetime
    partition: int


def is_command(headers: dict[str, bytes]) -> bool:
    return headers.get(COMMAND_HEADER) == RETRIAGE


def encode_command(command: RetriageCommand) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers of the command message."""
    return (command.designation.area_code.encode(), command.model_dump_json().encode(),
            [(COMMAND_HEADER, RETRIAGE)])


def decode_command(value: bytes | None) -> RetriageCommand:
    return RetriageCommand.model_validate_json(value or b"")
