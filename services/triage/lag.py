"""triage's consumer lag, ``paicha_triage_consumer_lag{topic}`` (the common scheme of
paicha_runtime.lag), measured by a faust timer on the worker's input topics.

faust runs its aiokafka consumer in a thread of its own, so positions come from faust's monitor
(the offset last read, and the offset last committed, per partition) and end offsets from
``consumer.highwaters`` (asked of the broker through that thread). A partition neither read nor
committed since the worker started has no known position and is left out until it is. Nothing is
measured during a rebalance or a table recovery (the gauge keeps its last value).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import TopicPartition

from paicha_runtime.lag import ConsumerLag, lag_by_topic

log = logging.getLogger(__name__)
LAG_INTERVAL_S = 10.0


def positions(read: Mapping[Any, int], committed: Mapping[Any, int]) -> dict[TopicPartition, int]:
    """The next offset each partition will consume: past the last read, or the committed one."""
    out: dict[TopicPartition, int] = {}
    for tp, offset in committed.items():
        out[TopicPartition(tp.topic, tp.partition)] = offset
    for tp, offset in read.items():
        key = TopicPartition(tp.topic, tp.partition)
        out[key] = max(out.get(key, 0), offset + 1)
    return out


async def measure(app: Any, topics: Iterable[str], lag: ConsumerLag) -> dict[str, int]:
    if app.rebalancing or getattr(app, "in_recovery", False):
        return {}  # partitions are moving: keep the last figures, ask the broker nothing now
    wanted = set(topics)
    assigned = [tp for tp in app.consumer.assignment() if tp.topic in wanted]
    if not assigned:
        return {}
    ends = {TopicPartition(tp.topic, tp.partition): end
            for tp, end in (await app.consumer.highwaters(*assigned)).items()}
    known = positions(app.monitor.tp_read_offsets, app.monitor.tp_committed_offsets)
    measured = lag_by_topic(ends, known)
    lag.set(measured)
    return measured


def install_lag_timer(app: Any, topics: Iterable[str], lag: ConsumerLag,
                      interval: float = LAG_INTERVAL_S) -> None:
    names = list(topics)

    @app.timer(interval, name="triage.consumer_lag")
    async def consumer_lag() -> None:
        try:
            await measure(app, names, lag)
        except Exception as exc:  # noqa: BLE001 - a metric must never stop the worker (rebalance, broker away)
            log.debug("consumer lag not measured: %s", exc)
