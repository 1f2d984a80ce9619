"""Replays the topics from the start (no consumer group, nothing committed) into a fresh view,
up to the ends the topics had when the replay began."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.envelope import EnvelopeError
from paicha_runtime.kafka import KafkaSettings
from services.reporting.adapters.decoding import message_fact
from services.reporting.domain.view import View


async def replay(settings: KafkaSettings, topics: Sequence[str]
                 ) -> tuple[View, dict[TopicPartition, int]]:
    """A fresh view of everything on ``topics`` now, and the end offsets it stopped at."""
    consumer = AIOKafkaConsumer(**settings.client_kwargs(), enable_auto_commit=False,
                                auto_offset_reset="earliest")
    view = View()
    await consumer.start()
    try:
        partitions = []
        for topic in topics:
            for p in await _partitions(consumer, topic):
                partitions.append(TopicPartition(topic, p))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, messages in batches.items():
                for m in messages:
                    if m.offset >= ends[tp]:
                        break
                    try:
                        event_id, _, fact = message_fact(m.headers, m.value, m.key)
                    except EnvelopeError:
                        continue
                    if fact is not None:
                        view.apply(event_id, fact)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return view, ends
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        await consumer._client.force_metadata_update()  # no public refresh
        await asyncio.sleep(0.1)
    return set()
