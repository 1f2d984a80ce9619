"""Starting the service with a bad policy or bad settings ends with the loader's message and a
configuration exit code, never a traceback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from pydantic import ValidationError

from services.triage import main as entry
from services.triage.settings import TriageSettings


def test_an_invalid_policy_file_stops_the_start_with_its_problems(tmp_path, monkeypatch, capsys):
    policy = tmp_path / "broken.yaml"
    policy.write_text("version: v-test\nlookback: 7 days\n", encoding="utf-8")
    monkeypatch.setenv("TRIAGE_POLICY_PATH", str(policy))
    assert entry.main() == entry.EX_CONFIG
    err = capsys.readouterr().err
    assert "invalid policy" in err and "lookback" in err and "categories: is required" in err
    assert "Traceback" not in err


def test_a_missing_policy_file_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_POLICY_PATH", str(tmp_path / "nowhere.yaml"))
    assert entry.main() == entry.EX_CONFIG
    assert "cannot read policy file" in capsys.readouterr().err


def test_invalid_settings_are_reported_by_name(monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_HTTP_PORT", "not-a-port")
    assert entry.main() == entry.EX_CONFIG
    assert "http_port" in capsys.readouterr().err


def test_settings_read_nested_kafka_values_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRIAGE_KAFKA__BOOTSTRAP", "broker-1:9093")
    monkeypatch.setenv("TRIAGE_KAFKA__TOPIC_NAMESPACE", "t-1")
    settings = TriageSettings()
    assert settings.kafka.bootstrap == "broker-1:9093"
    assert settings.topic_namespace == "t-1" and settings.http_port == 8002


def test_a_fatal_error_stops_the_process_even_if_a_graceful_stop_hangs():
    script = (
        "import signal, time\n"
        "from services.triage.main import FatalExit\n"
        "signal.signal(signal.SIGTERM, lambda *_: print('graceful stop asked', flush=True))\n"
        "FatalExit(0.5)(RuntimeError('kafka refused'))\n"
        "time.sleep(10)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30,
                          text=True)
    assert done.returncode == entry.EX_TEMPFAIL
    assert "graceful stop asked" in done.stdout


def test_rocksdb_store_is_refused_without_its_package(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValidationError, match="rocksdict"):
        TriageSettings(store="rocksdb://")
