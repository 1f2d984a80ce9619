"""A minimal faust-streaming app for the foundation tests: an agent counts words into a table.

Configured by environment (the test starts it as a real worker process):
COUNTER_APP_ID, COUNTER_BROKER, COUNTER_TOPIC, COUNTER_WEB_PORT, COUNTER_DATADIR.
GET /counts/ on the worker's web port returns the table as JSON.
"""

from __future__ import annotations

import os

import faust
from faust.web import Request, Response, View

app = faust.App(
    os.environ["COUNTER_APP_ID"],
    broker=f"kafka://{os.environ['COUNTER_BROKER']}",
    store="memory://",  # nothing on disk: a restart must rebuild the table from its changelog
    datadir=os.environ["COUNTER_DATADIR"],
    web_port=int(os.environ["COUNTER_WEB_PORT"]),
    web_host="127.0.0.1",
    topic_partitions=2,
    topic_replication_factor=1,
    processing_guarantee=os.environ.get("COUNTER_GUARANTEE", "at_least_once"),
)
words = app.topic(os.environ["COUNTER_TOPIC"], key_type=str, value_type=str, partitions=2)
counts_by_word = app.Table("counts_by_word", default=int, partitions=2)


@app.agent(words)
async def count_words(stream: faust.StreamT[str]) -> None:
    # Records are keyed by the word, so the table (keyed the same way) is co-partitioned.
    async for word in stream:
        counts_by_word[word] += 1


@app.page("/counts/")
class Counts(View):
    async def get(self, request: Request) -> Response:
        return self.json(dict(counts_by_word.items()))
