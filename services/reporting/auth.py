"""Bearer tokens of reporting, kept only as SHA-256: admin (close-out, rebuild) and an optional
reader token (reports are open when none is set: they carry counts only)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

Scope = Literal["read", "admin"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    def __init__(self, admin_hash: str | None, reader_hash: str | None) -> None:
        self._admin, self._reader = admin_hash, reader_hash

    @property
    def reads_open(self) -> bool:
        return self._reader is None

    def knows(self, token: str) -> bool:
        """Whether the token is one of reporting's (admin or reader): else it is a 401."""
        digest = hash_token(token)
        known = False
        for expected in (self._admin, self._reader):  # compare against each, constant time
            if expected and hmac.compare_digest(digest, expected):
                known = True
        return known

    def allows(self, token: str | None, scope: Scope) -> bool:
        if scope == "read" and self.reads_open:
            return True
        if not token:
            return False
        digest = hash_token(token)
        allowed = [self._admin] if scope == "admin" else [self._admin, self._reader]
        ok = False
        for expected in allowed:  # compare against each, constant time
            if expected and hmac.compare_digest(digest, expected):
                ok = True
        return ok
