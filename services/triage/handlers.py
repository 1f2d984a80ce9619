"""What happens on each message of a case partition: a record opens, merges into or reclassifies
the person's case; a re-triage command raises the partition's open cases a designation now
covers. Thin over the domain; a message triage cannot use becomes an InputRejected event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import ValidationError

from contracts.envelope import Envelope, EnvelopeError, decode_envelope
from contracts.events import (
    CaseMerged,
    CaseOpened,
    CaseReclassified,
    CaseResolved,
    Event,
    RecordReceived,
    RejectReason,
)
from services.triage.domain import (
    CaseStatus,
    DecisionKind,
    Policy,
    RiskAreaRegistry,
    apply_record,
    retriage,
)

from .adapters import case_events as ce
from .adapters.case_codec import StoredCase
from .adapters.commands import decode_command, is_command
from .adapters.downgrades import record_downgrade
from .adapters.mapping import current_codes, designation_from_event, facts_from_record
from .adapters.rejections import Problem, problem_for, rejection
from .adapters.state import Book, CaseBook
from .messages import CaseChange, Handled, Incoming, Outgoing, TriageTopics

log = logging.getLogger(__name__)


E = TypeVar("E", bound=Event)


class Refused(Exception):
    """A message that breaks a rule of the records topic (wrong type, wrong key)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def decode_expected(msg: Incoming, kind: type[E], topic: str) -> tuple[Envelope, E]:
    """Decode a message that must carry `kind`; any other event type is refused."""
    envelope = decode_envelope(msg.headers, msg.value or b"", msg.key)
    if not isinstance(envelope.event, kind):
        raise Refused(Problem(RejectReason.INVALID_VALUE,
                              f"{envelope.type} does not belong on the {topic} topic", "ce_type"))
    return envelope, envelope.event


def utc_now() -> datetime:
    return datetime.now(UTC)


class Handlers:
    def __init__(self, *, topics: TriageTopics, policy: Policy, registry: RiskAreaRegistry,
                 source: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.topics, self.policy, self.registry = topics, policy, registry
        self.source, self.clock = source, clock

    def guarded(self, msg: Incoming, handle: Callable[[], Handled],
                feed: str | None = None) -> Handled:
        """Run `handle`; bad data (and any other error from it) becomes a rejection, so one
        message can never stop the partition. Kafka sends happen later, outside this guard."""
        try:
            return handle()
        except Refused as exc:
            problem = exc.problem
        except (EnvelopeError, ValidationError, ValueError) as exc:
            log.debug("rejecting %s[%d]@%d", msg.topic, msg.partition, msg.offset, exc_info=True)
            problem = problem_for(exc)
        except Exception as exc:  # a bug on one message must not stall the rest
            log.exception("unexpected error on %s[%d]@%d; rejecting it",
                          msg.topic, msg.partition, msg.offset)
            problem = problem_for(exc)
        log.warning("rejected %s[%d]@%d: %s (%s)", msg.topic, msg.partition, msg.offset,
                    problem.reason.value, problem.field or "-")
        event = rejection(problem, payload=msg.value, received_at=self.clock(), feed=feed,
                          where=(msg.topic, msg.partition, msg.offset))
        out = Outgoing.event(self.topics.rejected, event, source=self.source,
                             event_id=event.rejection_id)
        return Handled(outputs=[out], rejected=[problem.reason])

    def on_case_message(self, msg: Incoming, cases: CaseBook, downgrades: Book,
                        applied: Book | None = None) -> Handled:
        if is_command(msg.headers):
            return self.guarded(msg, lambda: self._retriage(msg, cases, downgrades, applied),
                                "triage")
        if msg.topic == self.topics.resolutions:
            return self.guarded(msg, lambda: self._resolve(msg, cases, downgrades),
                                "resolutions")
        return self.guarded(msg, lambda: self._record(msg, cases))

    def _resolve(self, msg: Incoming, cases: CaseBook, downgrades: Book) -> Handled:
        """Close the person's open case when tasking resolved that very case; a repeated,
        stale (another case id) or unknown resolution changes nothing."""
        envelope, event = decode_expected(msg, CaseResolved, "resolutions")
        if envelope.key != event.person_key:
            raise Refused(Problem(RejectReason.INVALID_VALUE,
                                  "the message key is not the resolution's person_key", "key"))
        found = cases.get(event.person_key)
        if found is None or found.case.case_id != event.case_id:
            why = "unknown" if found is None else "stale"
            log.info("resolution of case %s ignored (%s)", event.case_id, why)
            return Handled(ignored_resolutions=[why])
        if found.case.status is CaseStatus.CLOSED:
            return Handled(ignored_resolutions=["repeated"])
        closed = found.with_case(found.case.closed())
        out = ce.case_closed(closed, resolution=event.resolution.value, task_id=event.task_id,
                             closed_at=event.resolved_at)
        message = Outgoing.event(self.topics.cases, out, source=self.source,
                                 event_id=ce.closed_id(event.case_id), time=event.resolved_at)
        # Kept, closed: a redelivered record of it is still a duplicate, and the person's
        # next new record opens a new case (the domain's apply_record).
        cases.put(closed)
        if downgrades.get(event.case_id):
            downgrades.put(event.case_id, b"")  # nothing left to review on a closed case
        return Handled(outputs=[message], closed=[event.resolution.value])

    def _record(self, msg: Incoming, cases: CaseBook) -> Handled:
        envelope, event = decode_expected(msg, RecordReceived, "records")
        if envelope.key != event.person_key:
            # The key decides the partition, and so which worker holds the person's case.
            raise Refused(Problem(RejectReason.INVALID_VALUE,
                                  "the message key is not the record's person_key", "key"))
        facts = facts_from_record(event)
        found = cases.get(facts.person_key)
        decision = apply_record(found.case if found else None, facts, self.registry, self.policy)
        if decision.kind is DecisionKind.DUPLICATE:
            return Handled(duplicates=1)
        case_id, when = decision.case.case_id, facts.received_at
        stored = StoredCase(decision.case, msg.partition, current_codes(event))
        out: CaseOpened | CaseMerged | CaseReclassified
        if decision.kind is DecisionKind.OPENED:
            out, event_id = ce.case_opened(stored, when), ce.opened_id(case_id, facts.record_id)
        elif decision.kind is DecisionKind.MERGED:
            out = ce.case_merged(stored, facts.record_id, when)
            event_id = ce.merged_id(case_id, facts.record_id)
        else:
            assert decision.previous is not None
            out = ce.case_reclassified(stored, decision.previous, when)
            event_id = ce.reclassified_by_record_id(case_id, facts.record_id)
        message = Outgoing.event(self.topics.cases, out, source=self.source, event_id=event_id,
                                 time=when)
        cases.put(stored)
        change = CaseChange(decision.kind.value, "record", decision.case.classification, when)
        return Handled(outputs=[message], changes=[change])

    def _retriage(self, msg: Incoming, cases: CaseBook, downgrades: Book,
                  applied: Book | None = None) -> Handled:
        command = decode_command(msg.value)
        designation = designation_from_event(command.designation)
        self.registry.apply(designation)
        now = command.effective_now
        stored_by_id = {s.case.case_id: s for s in
                        cases.cases_in(msg.partition, designation.area_code[:6])}
        result = retriage(designation, [s.case for s in stored_by_id.values()], self.registry,
                          self.policy, now)
        handled = Handled()
        updates: list[StoredCase] = []
        for decision in result.reclassified:
            assert decision.previous is not None
            stored = stored_by_id[decision.case.case_id].with_case(decision.case)
            event_id = ce.reclassified_by_designation_id(
                decision.case.case_id, designation.area_code, designation.notice_id,
                command.designation_event_id)
            handled.outputs.append(Outgoing.event(
                self.topics.cases, ce.case_reclassified(stored, decision.previous, now),
                source=self.source, event_id=event_id, time=now))
            handled.changes.append(CaseChange("reclassified", "designation",
                                              decision.case.classification, None))
            updates.append(stored)
        # State changes only once every event is built, so an error leaves nothing half done.
        for stored in updates:
            cases.put(stored)
        for notice in result.downgrades:
            if record_downgrade(downgrades, notice):
                handled.downgrades.append(notice)
        if applied is not None:
            # Kept on the partition's own changelog: whoever takes the partition over learns
            # the designation before its first record (`designations.learn_designations`).
            applied.put(f"{msg.partition}/{designation.area_code}/{designation.notice_id}",
                        command.designation.model_dump_json().encode())
        return handled
