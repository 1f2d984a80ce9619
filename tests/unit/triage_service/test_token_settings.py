"""Token settings: hashes only, owners with scopes, the admin hash granting every scope, and
placeholder tokens refused outside development (the worker then does not start)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from services.triage import main as entry
from services.triage.auth import Authenticator, Scope, hash_token
from services.triage.settings import TriageSettings

REAL = "pc_county-cdc_g5Kx0l7mR2Qb8VwZ1nYt4Hs9Jc3Pa6Ue"


def test_tokens_from_the_environment_identify_their_owner_and_scopes(monkeypatch):
    monkeypatch.setenv("TRIAGE_TOKENS", json.dumps(
        {"county-cdc": {"sha256": hash_token(REAL), "scopes": ["risk-areas:admin"]}}))
    monkeypatch.setenv("TRIAGE_ADMIN_TOKEN_HASH", hash_token("pc_admin_" + "x" * 40).upper())
    auth = Authenticator(TriageSettings().token_grants())
    who = auth.identify(REAL)
    assert who is not None and who.owner == "county-cdc"
    assert who.scopes == {Scope.RISK_AREAS_ADMIN}
    admin = auth.identify("pc_admin_" + "x" * 40)
    assert admin is not None and admin.owner == "admin" and admin.scopes == set(Scope)
    assert auth.identify("pc_admin_" + "y" * 40) is None


@pytest.mark.parametrize("placeholder", ["changeme", "admin", "token", ""])
def test_a_placeholder_token_hash_is_refused_outside_development(placeholder):
    with pytest.raises(ValidationError, match="placeholder"):
        TriageSettings(admin_token_hash=hash_token(placeholder))
    with pytest.raises(ValidationError, match="placeholder"):
        TriageSettings(tokens={"cdc": {"sha256": hash_token(placeholder),
                                       "scopes": ["risk-areas:admin"]}})
    assert TriageSettings(environment="development", admin_token_hash=hash_token(placeholder))


@pytest.mark.parametrize("tokens", [
    {"cdc": {"sha256": "not-hex", "scopes": ["risk-areas:admin"]}},
    {"cdc": {"sha256": "a" * 64, "scopes": ["everything"]}},
    {"cdc": {"sha256": "a" * 64, "scopes": []}},
    {"admin": {"sha256": "a" * 64, "scopes": ["cases:read"]}},
    {"bad owner!": {"sha256": "a" * 64, "scopes": ["cases:read"]}},
])
def test_malformed_token_settings_are_refused(tokens):
    with pytest.raises(ValidationError):
        TriageSettings(tokens=tokens)


def test_the_worker_does_not_start_with_a_placeholder_token(monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_ADMIN_TOKEN_HASH", hash_token("changeme"))
    assert entry.main() == entry.EX_CONFIG
    assert "placeholder" in capsys.readouterr().err
