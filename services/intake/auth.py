"""Feed tokens: one bearer token per feed, kept only as its SHA-256 (tokens are 256-bit random,
so a fast hash is enough: there is nothing to brute-force), plus an admin token for any feed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

ADMIN = "admin"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(owner: str) -> str:
    """A fresh token; the owner in the prefix only helps people tell tokens apart."""
    return f"pc_{owner}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True, slots=True)
class Principal:
    owner: str
    """A feed name, or ``admin``."""

    def may_push(self, feed: str) -> bool:
        return self.owner in (ADMIN, feed)


class Authenticator:
    def __init__(self, feed_hashes: Mapping[str, str | None], admin_hash: str | None) -> None:
        self._hashes = [(owner, h.lower()) for owner, h in feed_hashes.items() if h]
        if admin_hash:
            self._hashes.append((ADMIN, admin_hash.lower()))

    def identify(self, token: str) -> Principal | None:
        """Who holds the token, or None. Compares against every hash in constant time."""
        digest = hash_token(token)
        found = None
        for owner, expected in self._hashes:
            if hmac.compare_digest(digest, expected):
                found = Principal(owner)
        return found
