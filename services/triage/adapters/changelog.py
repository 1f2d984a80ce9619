"""Make sure a batch's table writes have left faust's buffer before the batch is acknowledged.

faust writes table changes to the changelog through its producer buffer. Before committing
offsets it calls `producer.flush()`, but the buffer's flush gives up after 100 ms without a
send (faust/transport/producer.py, `flush_atmost`), so on a busy machine an offset can be
committed while the table change it depends on is still buffered; a crash then loses the
change while the record counts as done (its next record would open a second case). Waiting
here, per batch, closes that window: once a batch is acknowledged its changelog writes are in
aiokafka, and the commit's own aiokafka flush waits for their delivery.
"""

from __future__ import annotations

import asyncio
from typing import Any

POLL_SECONDS = 0.005


async def drain_buffer(producer: Any, timeout_s: float = 30.0) -> None:
    """Wait until faust's producer buffer is empty (TimeoutError after `timeout_s`)."""
    buffer = producer.buffer
    if getattr(buffer, "state", "running") != "running":
        # Nothing sends from a stopped buffer (agent tests in test_context(), or shutdown,
        # where faust's own stop flushes it): acknowledging is all that is left to do.
        return
    async with asyncio.timeout(timeout_s):
        while buffer.size:
            await buffer.flush()  # returns early when nothing was sent for 100 ms
            if buffer.size:
                await asyncio.sleep(POLL_SECONDS)
