"""What happens on each risk-area designation: keep it in `designations_by_area`, apply it to
the worker's registry, and fan a re-triage command out to every case partition. And what a
worker learns from `designations_by_partition` when it takes case partitions over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from contracts.events import RiskAreaDesignated

from .adapters.commands import RetriageCommand, encode_command
from .adapters.mapping import decode_notices, designation_from_event, encode_notices
from .adapters.state import Book
from .domain import RiskAreaRegistry
from .handlers import Handlers, decode_expected
from .messages import Handled, Incoming, Outgoing

FEED = "risk-areas"  # the `feed` of a rejected designation, for reporting's counts


def _same(stored: bytes, event: RiskAreaDesignated) -> bool:
    # When and by whom it was sent is not what it says: a re-sent notice changes nothing.
    old = RiskAreaDesignated.model_validate_json(stored)
    unsaid = {"designated_at": None, "designated_by": None}
    return old.model_copy(update=unsaid) == event.model_copy(update=unsaid)


def learn_designations(applied: Iterable[bytes], areas: Mapping[str, bytes],
                       registry: RiskAreaRegistry) -> int:
    """Apply to the registry each designation a case partition was re-triaged for that the
    worker does not know (by area code and notice id), or knows only in an older version
    (its GlobalTable copy holds an earlier `designated_at`). Returns how many were applied."""
    learned = 0
    for value in applied:
        if not value:
            continue
        event = RiskAreaDesignated.model_validate_json(value)
        known = decode_notices(areas.get(event.area_code)).get(event.notice_id)
        if known is not None:
            old = RiskAreaDesignated.model_validate_json(known)
            newer = (old.designated_at is not None and event.designated_at is not None
                     and event.designated_at > old.designated_at)
            if _same(known, event) or not newer:
                continue
        elif registry.get(event.area_code, event.notice_id) is not None:
            continue  # applied by a command here, ahead of the GlobalTable
        registry.apply(designation_from_event(event))
        learned += 1
    return learned


def on_designation(handlers: Handlers, msg: Incoming, areas: Book) -> Handled:
    return handlers.guarded(msg, lambda: _designate(handlers, msg, areas), FEED)


def _designate(handlers: Handlers, msg: Incoming, areas: Book) -> Handled:
    envelope, event = decode_expected(msg, RiskAreaDesignated, "risk-areas")
    designation = designation_from_event(event)
    handlers.registry.apply(designation)
    notices = decode_notices(areas.get(event.area_code))
    known = notices.get(event.notice_id)
    if known is not None and _same(known, event):
        # Already kept, so its commands went out before (they are sent before the table
        # write): a replay or a repeated PUT re-triages nothing.
        return Handled(designations=[designation])
    effective_now = event.designated_at or envelope.time or handlers.clock()
    handled = Handled(designations=[designation])
    for partition in range(handlers.topics.partitions):
        command = RetriageCommand(designation=event, designation_event_id=envelope.id,
                                  effective_now=effective_now, partition=partition)
        key, value, headers = encode_command(command)
        handled.outputs.append(Outgoing(handlers.topics.commands, key, value, headers,
                                        partition=partition))
    # Kept last, so an error above leaves no designation that was never fanned out.
    notices[event.notice_id] = event.model_dump_json().encode()
    areas.put(event.area_code, encode_notices(notices))
    return handled
