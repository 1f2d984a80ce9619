"""Downstream example: subscribe to paicha topics and check each event against its JSON Schema.

Standalone on purpose (aiokafka + jsonschema only, no paicha code) so a downstream team can
copy it. Usage:

    python consumer.py --bootstrap 127.0.0.1:19092 --topic paicha.triage.cases.v1 \
        --group quarantine-hotels [--schemas DIR] [--max-messages N] [--idle-timeout SECONDS]

Prints one line per event and a summary; exits 1 when any event was invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator, FormatChecker

DEFAULT_SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type")
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 with an offset (paicha never sends naive times)."""
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@dataclass
class Counts:
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0


class Schemas:
    """Validators by ce_type, loaded on first use from ``<dir>/<ce_type>.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Draft202012Validator | None] = {}

    def get(self, ce_type: str) -> Draft202012Validator | None:
        if ce_type not in self._cache:
            path = self.directory / f"{ce_type}.json"
            if "/" in ce_type or not path.is_file():
                self._cache[ce_type] = None
            else:
                schema = json.loads(path.read_text(encoding="utf-8"))
                self._cache[ce_type] = Draft202012Validator(schema, format_checker=FORMATS)
        return self._cache[ce_type]


def check(headers: dict[str, str], value: bytes | None, schemas: Schemas) -> list[str]:
    """Problems with one message; never echoes values (restricted topics carry PII)."""
    missing = [h for h in REQUIRED_HEADERS if not headers.get(h)]
    if missing:
        return [f"missing header(s) {', '.join(missing)}"]
    validator = schemas.get(headers["ce_type"])
    if validator is None:
        return [f"no schema for type {headers['ce_type']}"]
    try:
        data = json.loads(value or b"")
    except ValueError:
        return ["value is not JSON"]
    return [f"/{'/'.join(map(str, e.absolute_path))}: fails {e.validator}"
            for e in validator.iter_errors(data)]


async def consume(
    bootstrap: str,
    topics: Sequence[str],
    *,
    group_id: str,
    schema_dir: Path = DEFAULT_SCHEMAS,
    max_messages: int | None = None,
    idle_timeout: float | None = None,
    out: Callable[[str], Any] = print,
    **client_kwargs: Any,
) -> Counts:
    """Consume until ``max_messages`` or ``idle_timeout`` seconds without messages."""
    schemas, counts = Schemas(schema_dir), Counts()
    seen: OrderedDict[str, None] = OrderedDict()  # recent ce_ids: redelivery changes nothing
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=group_id,
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                **client_kwargs)
    await consumer.start()
    try:
        loop = asyncio.get_running_loop()
        last_message = loop.time()
        while max_messages is None or (
            counts.valid + counts.invalid + counts.duplicates < max_messages
        ):
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                if idle_timeout is not None and loop.time() - last_message > idle_timeout:
                    break
                continue
            last_message = loop.time()
            for records in batch.values():
                for msg in records:
                    headers = {k: v.decode("utf-8", "replace") for k, v in msg.headers}
                    where = f"{msg.topic}/{msg.partition}@{msg.offset}"
                    ce_id, ce_type = headers.get("ce_id", "?"), headers.get("ce_type", "?")
                    problems = check(headers, msg.value, schemas)
                    if problems:
                        counts.invalid += 1
                        out(f"INVALID {where} {ce_type} id={ce_id}: {'; '.join(problems)}")
                    elif ce_id in seen:
                        counts.duplicates += 1
                        out(f"duplicate {where} {ce_type} id={ce_id} (already handled)")
                    else:
                        seen[ce_id] = None
                        if len(seen) > 100_000:
                            seen.popitem(last=False)
                        counts.valid += 1
                        key = msg.key.decode("utf-8", "replace") if msg.key else ""
                        out(f"valid {where} {ce_type} id={ce_id} key={key}")
            await consumer.commit()  # after handling: at-least-once delivery
    finally:
        await consumer.stop()
    out(f"summary valid={counts.valid} invalid={counts.invalid} duplicates={counts.duplicates}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--topic", action="append", required=True, dest="topics")
    parser.add_argument("--group", default="paicha-example-downstream")
    parser.add_argument("--schemas", type=Path, default=DEFAULT_SCHEMAS)
    parser.add_argument("--max-messages", type=int)
    parser.add_argument("--idle-timeout", type=float)
    args = parser.parse_args(argv)
    counts = asyncio.run(consume(
        args.bootstrap, args.topics, group_id=args.group, schema_dir=args.schemas,
        max_messages=args.max_messages, idle_timeout=args.idle_timeout,
        out=lambda line: print(line, flush=True)))
    return 1 if counts.invalid else 0


if __name__ == "__main__":
    sys.exit(main())
