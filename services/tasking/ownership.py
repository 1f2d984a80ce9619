"""Which tasks this process looks after in the background (due timers, open-task gauges, the
outbox sweep) when several tasking processes share one database and one consumer group: the
tasks whose case lives on a partition of the cases topic that this process's consumer is
assigned. A task belongs to its case's partition as triage publishes it (key = case id, the
Kafka default partitioner: murmur2), so the process that consumes a case's events is the one
that keeps its timer, and a rebalance hands both over together.

A process without a consumer (an API-only replica) owns every task. For a moment during a
rebalance two processes may both own a partition; every task write is version-guarded, so that
costs a read, never a second event."""

from __future__ import annotations

from aiokafka.partitioner import murmur2


def partition_of(case_id: str, partitions: int) -> int:
    """The cases-topic partition of a case id, as Kafka's default partitioner puts it."""
    return (murmur2(case_id.encode()) & 0x7FFFFFFF) % partitions


class Ownership:
    def __init__(self, *, everything: bool) -> None:
        self.partitions: frozenset[int] | None = None if everything else frozenset()
        self.count = 0  # partitions of the cases topic

    @property
    def everything(self) -> bool:
        return self.partitions is None

    def owns(self, case_id: str) -> bool:
        if self.partitions is None:
            return True
        return self.count > 0 and partition_of(case_id, self.count) in self.partitions

    def assign(self, partitions: set[int], count: int) -> None:
        self.partitions, self.count = frozenset(partitions), count

    def revoke(self, partitions: set[int]) -> None:
        if self.partitions is not None:
            self.partitions = self.partitions - partitions
