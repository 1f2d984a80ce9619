"""Bearer tokens and what they may see: a worker sees its own grid's tasks, a township or county
supervisor their area's, the admin everything. Tokens are kept only as SHA-256 (they are 256-bit
random, so a fast hash is enough); the admin token's hash comes from the settings."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.tasking.domain.model import Task


class Scope(StrEnum):
    WORKER = "worker"
    TOWNSHIP = "township"
    COUNTY = "county"
    ADMIN = "admin"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(scope: str) -> str:
    return f"pt_{scope}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Principal:
    scope: Scope
    grid_id: str | None = None
    worker_id: str | None = None
    area_code: str | None = None
    display_name: str | None = None

    @property
    def account(self) -> str:
        """The pseudonymous id recorded on events (``recorded_by``)."""
        if self.scope == Scope.WORKER:
            return f"worker:{self.grid_id}:{self.worker_id}"
        if self.scope == Scope.ADMIN:
            return "admin"
        return f"{self.scope.value}:{self.area_code}"

    def sees(self, task: Task) -> bool:
        match self.scope:
            case Scope.ADMIN:
                return True
            case Scope.WORKER:
                return task.grid_id == self.grid_id
            case Scope.TOWNSHIP:
                return task.township_code == self.area_code
            case Scope.COUNTY:
                return task.county_code == self.area_code
        return False

    def query(self) -> dict[str, Any]:
        """The store equality filter of everything this token may see."""
        match self.scope:
            case Scope.WORKER:
                return {"grid_id": self.grid_id}
            case Scope.TOWNSHIP:
                return {"township_code": self.area_code}
            case Scope.COUNTY:
                return {"county_code": self.area_code}
        return {}

    def me(self) -> dict[str, Any]:
        return {"scope": self.scope.value, "grid_id": self.grid_id,
                "worker_id": self.worker_id, "area_code": self.area_code,
                "display_name": self.display_name}


def admin_matches(token: str, admin_hash: str | None) -> bool:
    return bool(admin_hash) and hmac.compare_digest(hash_token(token), str(admin_hash).lower())


def principal_from_doc(doc: dict[str, Any]) -> Principal:
    return Principal(Scope(doc["scope"]), doc.get("grid_id"), doc.get("worker_id"),
                     doc.get("area_code"), doc.get("display_name"))
