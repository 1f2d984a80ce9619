"""Table access for one batch: writes are held back until the batch's events are durably on
Kafka, then applied to the faust table as if made while handling the message that caused them.

Why: a table write goes to its changelog in the background; were it to reach the changelog
before the case event reached the cases topic, a crash in between would leave the case in the
table (so the redelivered record is a duplicate) and its event never sent. Holding writes back
keeps the table at most as far as the output, and the redelivered record re-emits the same
event id.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from faust.streams import _current_event  # faust reads the changelog partition from it

from .case_codec import StoredCase, decode_case, encode_case


@contextmanager
def handling(event: Any) -> Iterator[None]:
    """Make `event` faust's current event, so a table write lands in its partition."""
    token = _current_event.set(weakref.ref(event) if event is not None else None)
    try:
        yield
    finally:
        _current_event.reset(token)


@dataclass(frozen=True)
class _Message:
    topic: str
    partition: int


class OnPartition:
    """Stands in for the message being handled when a write must land on a fixed changelog
    partition: faust takes a write's partition from the current event's message, and checks
    that message's topic has as many partitions as the changelog (so: the changelog's own)."""

    def __init__(self, table: Any, partition: int) -> None:
        self.message = _Message(table.changelog_topic_name, partition)


class Overlay:
    """A batch's pending writes to one table, each remembered with the message that caused it
    (or, for a table whose partitions are not the messages', with a fixed partition)."""

    def __init__(self, table: MutableMapping[str, bytes], partition: int | None = None) -> None:
        self.table = table
        self.pending: dict[str, tuple[bytes, Any]] = {}
        self.cause: Any = None  # the message being handled; set by the batch loop
        self.fixed = OnPartition(table, partition) if partition is not None else None

    def get(self, key: str) -> bytes | None:
        if key in self.pending:
            return self.pending[key][0]
        return self.table.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.pending[key] = (value, self.fixed or self.cause)

    def commit(self) -> list[str]:
        written = list(self.pending)
        for key, (value, cause) in self.pending.items():
            with handling(cause):
                self.table[key] = value
        self.pending.clear()
        return written


class CaseIndex:
    """Person keys with a case, by (partition, origin county): re-triage reads only these."""

    def __init__(self) -> None:
        self._keys: dict[tuple[int, str], set[str]] = defaultdict(set)

    def add(self, stored: StoredCase) -> None:
        for county in stored.counties():
            self._keys[(stored.partition, county)].add(stored.person_key)

    def keys(self, partition: int, county: str) -> set[str]:
        return set(self._keys.get((partition, county), ()))

    def rebuild(self, table: MutableMapping[str, bytes]) -> int:
        self._keys.clear()
        for raw in table.values():
            self.add(decode_case(raw))
        return sum(len(keys) for keys in self._keys.values())


class CaseBook:
    """The cases of one batch: the table plus the batch's pending writes."""

    def __init__(self, table: MutableMapping[str, bytes], index: CaseIndex) -> None:
        self.overlay = Overlay(table)
        self.index = index
        self._pending: dict[str, StoredCase] = {}

    def get(self, person_key: str) -> StoredCase | None:
        if person_key in self._pending:
            return self._pending[person_key]
        raw = self.overlay.table.get(person_key)
        return decode_case(raw) if raw is not None else None

    def put(self, stored: StoredCase) -> None:
        self._pending[stored.person_key] = stored
        self.overlay.put(stored.person_key, encode_case(stored))

    def cases_in(self, partition: int, county: str) -> list[StoredCase]:
        """Cases on `partition` with a record from `county` (pending writes included)."""
        keys = self.index.keys(partition, county) | {
            key for key, stored in self._pending.items() if county in stored.counties()}
        found = (self.get(key) for key in sorted(keys))
        return [s for s in found if s is not None and s.partition == partition]

    def commit(self) -> None:
        self.overlay.commit()
        for stored in self._pending.values():
            self.index.add(stored)
        self._pending.clear()


class Book:
    """A batch's view of a table whose values are bytes (designations, downgrade notices);
    `partition` pins every write to one changelog partition (a one-partition GlobalTable
    written while handling messages of any partition)."""

    def __init__(self, table: MutableMapping[str, bytes], partition: int | None = None) -> None:
        self.overlay = Overlay(table, partition)

    def get(self, key: str) -> bytes | None:
        return self.overlay.get(key)

    def put(self, key: str, value: bytes) -> None:
        self.overlay.put(key, value)

    def commit(self) -> list[str]:
        return self.overlay.commit()
