"""Committed JSON Schemas agree with the models, the registry and the wire format."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator, FormatChecker

from contracts.envelope import schema_uri
from contracts.events import ALL_EVENTS, Event
from contracts.generate import differences, generated_files
from contracts.samples import sample_events, sample_record
from contracts.schema_docs import DIALECT, SCHEMA_DIR
from contracts.topics import DEFAULT
from tests.unit.contracts.contract_strategies import events

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _aware_date_time(value: object) -> bool:
    """RFC 3339 date-time: must carry an offset (jsonschema has no stdlib checker for it)."""
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def _validator(ce_type: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{ce_type}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FORMATS)


def test_committed_files_match_the_models() -> None:
    assert differences() == [], "run: .venv/bin/python -m contracts.generate"


def test_one_schema_file_per_registered_event_type() -> None:
    registered = {t for topic in DEFAULT for t in topic.event_types}
    files = {p.name.removesuffix(".json") for p in SCHEMA_DIR.glob("*.json")}
    assert files == registered == {m.ce_type for m in ALL_EVENTS}


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.__name__)
def test_schema_is_valid_2020_12_with_id(model: type[Event]) -> None:
    schema = json.loads((SCHEMA_DIR / f"{model.ce_type}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == schema_uri(model.ce_type)
    assert schema["x-topic"] == model.topic


@pytest.mark.parametrize("event", sample_events(), ids=lambda e: type(e).__name__)
def test_sample_events_validate_against_their_committed_schema(event: Event) -> None:
    _validator(event.ce_type).validate(json.loads(event.model_dump_json()))


@settings(max_examples=150, deadline=None)
@given(events)
def test_any_model_output_validates_against_its_schema(event: Event) -> None:
    _validator(event.ce_type).validate(json.loads(event.model_dump_json()))


@pytest.mark.parametrize(
    ("path", "value"),
    [(("person", "mobile"), "12345678901"), (("origin", "area_code"), "12345"),
     (("person", "id_number"), "1234"), (("received_at",), "2022-06-01T09:00:00"),
     (("exposure",), "maybe"), (("details", "feed"), "assist")],
)
def test_schema_rejects_what_the_model_rejects(path: tuple[str, ...], value: str) -> None:
    data = json.loads(sample_record().model_dump_json())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert list(_validator(sample_record().ce_type).iter_errors(data))


def test_generated_files_are_all_under_contracts() -> None:
    root = Path(__file__).parents[2] / "contracts"
    assert all(root in path.parents for path in generated_files())
