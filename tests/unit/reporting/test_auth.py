"""Reporting's tokens: an unknown token is not one of ours (401 at the edge); the reader token is
known but may not close days or rebuild (403)."""

from __future__ import annotations

from services.reporting.auth import Authenticator, hash_token


def test_admin_reader_and_unknown_tokens() -> None:
    auth = Authenticator(hash_token("admin-token"), hash_token("reader-token"))
    assert auth.knows("admin-token") and auth.knows("reader-token")
    assert not auth.knows("someone-else")
    assert auth.allows("admin-token", "admin") and auth.allows("admin-token", "read")
    assert auth.allows("reader-token", "read") and not auth.allows("reader-token", "admin")
    assert not auth.allows(None, "admin") and not auth.allows("someone-else", "read")


def test_reports_are_open_to_read_when_no_reader_token_is_set() -> None:
    auth = Authenticator(hash_token("admin-token"), None)
    assert auth.allows(None, "read") and not auth.allows(None, "admin")
