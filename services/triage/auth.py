"""Bearer tokens of the triage admin API: each kept only as its SHA-256 (tokens are 256-bit
random, so a fast hash is enough), with an owner name and the scopes it grants."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    # Designate risk areas (PUT) and review the downgrades re-triage did not apply.
    RISK_AREAS_ADMIN = "risk-areas:admin"
    # Read what triage holds about cases (the downgrades name case ids and person keys).
    CASES_READ = "cases:read"


ADMIN = "admin"  # owner of TRIAGE_ADMIN_TOKEN_HASH, which grants every scope


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    owner: str
    scopes: frozenset[Scope]

    def may(self, *any_of: Scope) -> bool:
        return any(scope in self.scopes for scope in any_of)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    owner: str
    sha256: str  # lower-case hex
    scopes: frozenset[Scope]


class Authenticator:
    def __init__(self, grants: Iterable[TokenGrant]) -> None:
        self._grants = [g for g in grants if g.sha256]

    def identify(self, token: str) -> Principal | None:
        """Who holds the token, or None. Compares against every hash in constant time."""
        digest = hash_token(token)
        found = None
        for grant in self._grants:
            if hmac.compare_digest(digest, grant.sha256):
                found = Principal(grant.owner, grant.scopes)
        return found
