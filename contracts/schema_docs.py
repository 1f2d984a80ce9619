"""JSON Schema (2020-12) documents generated from the event models, one per type and version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.envelope import schema_uri
from contracts.events import ALL_EVENTS, Event

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).parent / "schemas"
RELEASED_DIR = SCHEMA_DIR / "released"


def schema_filename(ce_type: str) -> str:
    return f"{ce_type}.json"


def event_schema(model: type[Event]) -> dict[str, Any]:
    """The committed schema of one event type: what its Kafka value must look like."""
    body = model.model_json_schema(mode="validation")
    return {
        "$schema": DIALECT,
        "$id": schema_uri(model.ce_type),
        "x-cloudevents-type": model.ce_type,
        "x-topic": model.topic,
        "x-key": model.key_field,
        **body,
    }


def dump_json(document: dict[str, Any]) -> str:
    """Stable text form: 2-space indent, UTF-8 (Chinese text readable), trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_schemas() -> dict[str, str]:
    """File name -> text for every public event type."""
    return {schema_filename(m.ce_type): dump_json(event_schema(m)) for m in ALL_EVENTS}
