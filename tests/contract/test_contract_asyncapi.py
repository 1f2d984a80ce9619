"""The AsyncAPI document parses, every $ref resolves, and it agrees with the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.generate import ASYNCAPI_PATH
from contracts.topics import DEFAULT


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(ASYNCAPI_PATH.read_text(encoding="utf-8"))


def _pointer(document: Any, fragment: str) -> Any:
    node = document
    for part in fragment.lstrip("/").split("/") if fragment.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve_all(document: Any, base: Path, seen: set[Path]) -> int:
    """Resolve every $ref in ``document`` (and in the files it names); count them."""
    count = 0
    for ref in _refs(document):
        file_part, _, fragment = ref.partition("#")
        target_doc = document
        if file_part:
            path = (base.parent / file_part).resolve()
            assert path.is_file(), f"$ref {ref} names a missing file"
            text = path.read_text(encoding="utf-8")
            target_doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
            if path not in seen:
                seen.add(path)
                count += _resolve_all(target_doc, path, seen)
        try:
            _pointer(target_doc, fragment)
        except (KeyError, IndexError, ValueError) as exc:
            raise AssertionError(f"$ref {ref} from {base.name} does not resolve") from exc
        count += 1
    return count


def test_document_is_asyncapi_3(doc: dict[str, Any]) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert {"info", "channels", "operations", "components"} <= set(doc)


def test_every_ref_resolves_to_an_existing_file_and_pointer(doc: dict[str, Any]) -> None:
    seen: set[Path] = set()
    assert _resolve_all(doc, ASYNCAPI_PATH, seen) > 50
    assert len(seen) == len({t for topic in DEFAULT for t in topic.event_types})


def test_every_registry_topic_is_a_channel_with_its_messages(doc: dict[str, Any]) -> None:
    channels = {c["address"]: c for c in doc["channels"].values()}
    assert set(channels) == {t.name for t in DEFAULT}
    for topic in DEFAULT:
        channel = channels[topic.name]
        assert channel["bindings"]["kafka"]["partitions"] == topic.partitions
        assert channel["x-restricted"] is topic.restricted
        if topic.event_types:
            assert set(channel["messages"]) == set(topic.event_types)


def test_every_producer_sends_and_every_consumer_receives(doc: dict[str, Any]) -> None:
    ops = doc["operations"].values()
    for topic in DEFAULT:
        ref = f"#/channels/{topic.base_name}"
        senders = {o["x-service"] for o in ops if o["channel"]["$ref"] == ref
                   and o["action"] == "send"}
        receivers = {o["x-service"] for o in ops if o["channel"]["$ref"] == ref
                     and o["action"] == "receive"}
        assert senders == set(topic.producers) and receivers == set(topic.consumers)


def test_operation_messages_belong_to_their_channel(doc: dict[str, Any]) -> None:
    for name, op in doc["operations"].items():
        channel_ref = op["channel"]["$ref"]
        for message in op["messages"]:
            assert message["$ref"].startswith(channel_ref + "/messages/"), name


def test_message_payloads_point_at_the_committed_schemas(doc: dict[str, Any]) -> None:
    for ce_type in (t for topic in DEFAULT for t in topic.event_types):
        message = doc["components"]["messages"][ce_type]
        assert message["payload"]["$ref"] == f"./schemas/{ce_type}.json"


def test_event_catalogue_documents_every_topic_and_type() -> None:
    catalogue = (ASYNCAPI_PATH.parents[1] / "docs" / "events.md").read_text(encoding="utf-8")
    for topic in DEFAULT:
        assert topic.event_types or "paicha.feeds." in catalogue
        assert topic.base_name in catalogue or topic.base_name.startswith("paicha.feeds.")
        for ce_type in topic.event_types:
            assert f"`{ce_type}`" in catalogue, ce_type
