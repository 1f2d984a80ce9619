"""`paicha token new`: a token, its SHA-256 and the env line, each on one unwrapped line."""

from __future__ import annotations

from typer.testing import CliRunner

from paicha.cli import app
from services.intake.auth import hash_token


def test_token_new_prints_a_token_its_hash_and_the_env_line():
    result = CliRunner().invoke(app, ["token", "new", "--feed", "assist"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    token, digest = lines["token"].strip(), lines["sha256"].strip()
    assert token.startswith("pc_assist_") and digest == hash_token(token)
    assert lines["env"].strip() == f"INTAKE_FEED_TOKENS__ASSIST={digest}"


def test_token_new_for_admin_and_an_unknown_feed():
    admin = CliRunner().invoke(app, ["token", "new", "--feed", "admin"])
    assert "INTAKE_ADMIN_TOKEN_HASH=" in admin.stdout
    unknown = CliRunner().invoke(app, ["token", "new", "--feed", "weather"])
    assert unknown.exit_code == 2


def test_import_uploads_to_the_feed_the_token_was_made_for():
    from services.intake.auth import new_token
    from services.intake.cli import token_feed

    assert token_feed(new_token("screening")) == "screening"
    assert token_feed(new_token("admin")) is None and token_feed("opaque-token") is None
    result = CliRunner().invoke(app, ["import", __file__, "--token", "opaque-token"])
    assert result.exit_code == 2 and "--feed" in result.output
