"""A minimal faust-streaming app for the foundation tests: an agent records words in a table.

Messages are `{"word": …, "id": …}`; the table keeps, per word, the distinct ids seen, so a
redelivered message (faust is at-least-once: a restart or rebalance may replay the tail since
the last commit) changes nothing — the same idempotence paicha's real agents rely on.

Configured by environment (the test starts it as a real worker process):
COUNTER_APP_ID, COUNTER_BROKER, COUNTER_TOPIC, COUNTER_WEB_PORT, COUNTER_DATADIR.
GET /counts/ on the worker's web port returns {word: number of distinct ids}.
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
words = app.topic(os.environ["COUNTER_TOPIC"], key_type=str, partitions=2)  # values: decoded JSON
ids_by_word = app.Table("ids_by_word", default=list, partitions=2)


@app.agent(words)
async def count_words(stream: faust.StreamT[dict]) -> None:
    # Records are keyed by the word, so the table (keyed the same way) is co-partitioned.
    async for message in stream:
        seen = set(ids_by_word[message["word"]])
        if message["id"] not in seen:
            ids_by_word[message["word"]] = sorted(seen | {message["id"]})


@app.page("/counts/")
class Counts(View):
    async def get(self, request: Request) -> Response:
        return self.json({word: len(ids) for word, ids in ids_by_word.items()})
