"""The stack's operator-facing checks say what to install or which setting to change."""

from __future__ import annotations

import pytest

from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError, require_tool
from paicha.stack.kafka import server_properties


def test_missing_java_names_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(StackError, match=r"`java` was not found on PATH: install Java 17"):
        require_tool("java", "install Java 17 (Debian: apt-get install openjdk-17-jre-headless)")


def test_single_node_broker_settings_replicate_internal_topics_once(tmp_path):
    props = server_properties(
        StackSettings(kafka_port=19092, kafka_controller_port=19093), tmp_path
    )
    lines = set(props.splitlines())
    assert "offsets.topic.replication.factor=1" in lines
    assert "transaction.state.log.replication.factor=1" in lines
    assert "transaction.state.log.min.isr=1" in lines
    assert "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093" in lines
    assert "auto.create.topics.enable=false" in lines
