"""Settings refuse placeholder secrets outside development; tokens are checked by hash."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.auth import Authenticator, hash_token, new_token
from services.intake.settings import DEV_PERSON_KEY_SECRET, IntakeSettings

GOOD_SECRET = "9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    import os

    for name in list(os.environ):
        if name.startswith("INTAKE_"):
            monkeypatch.delenv(name)


def test_nested_settings_come_from_the_environment(monkeypatch):
    token_hash = hash_token("t-assist")
    monkeypatch.setenv("INTAKE_PERSON_KEY_SECRET", GOOD_SECRET)
    monkeypatch.setenv("INTAKE_KAFKA__BOOTSTRAP", "kafka-1:9093")
    monkeypatch.setenv("INTAKE_MONGO__DATABASE", "intake_db")
    monkeypatch.setenv("INTAKE_HTTP__PORT", "9001")
    monkeypatch.setenv("INTAKE_FEED_TOKENS__ASSIST", token_hash.upper())
    settings = IntakeSettings()
    assert settings.kafka.bootstrap == "kafka-1:9093"
    assert settings.mongo.database == "intake_db"
    assert (settings.http.host, settings.http.port) == ("127.0.0.1", 9001)
    assert settings.feed_tokens.assist == token_hash
    assert settings.person_key_bytes() == GOOD_SECRET.encode()


@pytest.mark.parametrize("secret", ["", "changeme", "CHANGEME-please", "secret", "short"])
def test_placeholder_person_key_secrets_are_refused_outside_development(secret):
    with pytest.raises(ValidationError, match="PERSON_KEY_SECRET"):
        IntakeSettings(person_key_secret=secret)


def test_development_allows_an_empty_secret_with_a_fixed_dev_key():
    settings = IntakeSettings(environment="development")
    assert settings.person_key_bytes() == DEV_PERSON_KEY_SECRET.encode()


def test_a_token_hash_of_a_placeholder_token_is_refused():
    with pytest.raises(ValidationError, match="placeholder token for admin"):
        IntakeSettings(person_key_secret=GOOD_SECRET, admin_token_hash=hash_token("changeme"))


def test_a_token_hash_must_be_sha256_hex():
    with pytest.raises(ValidationError, match="64 hex digits"):
        IntakeSettings(person_key_secret=GOOD_SECRET, feed_tokens={"assist": "plain-token"})


def test_a_feed_token_pushes_only_to_its_feed_and_admin_anywhere():
    assist, admin = new_token("assist"), new_token("admin")
    auth = Authenticator({"assist": hash_token(assist), "bigdata": None}, hash_token(admin))
    principal = auth.identify(assist)
    assert principal is not None and principal.may_push("assist")
    assert not principal.may_push("bigdata")
    boss = auth.identify(admin)
    assert boss is not None and boss.may_push("contacts")
    assert auth.identify("pc_assist_forged") is None
    assert auth.identify("") is None
    assert assist.startswith("pc_assist_") and len(assist) > 40
