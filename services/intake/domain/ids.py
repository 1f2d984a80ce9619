"""Stable identifiers intake derives: a source record id for file rows that have none, and a
digest of a refused payload (so the same bad input refused twice is one rejection)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime

DERIVED_PREFIX = "row-"
# Feed fields that tell two otherwise equal rows apart: the same person arriving once can be
# the subject of two assist requests or two confirmed cases' contact lists.
_DISTINGUISHING = {"assist": ("request_id",), "contacts": ("case_ref",)}


def derived_source_id(feed: str, values: Mapping[str, object]) -> str:
    """``row-`` + 32 hex digits of SHA-256 over the normalized identity of the row.

    Identity = feed, ID type, ID number, origin area code (or country, for an arrival from
    abroad), arrival instant (UTC), plus the
    request id (assist) or case reference (contacts). Re-uploading the same list, or a version
    with a corrected name, phone or address, gives the same id (a duplicate); the same person
    arriving again, from elsewhere or at another time, gives a new one.
    """
    arrived = values["arrived_at"]
    assert isinstance(arrived, datetime)
    parts = [
        feed,
        str(values["id_type"]),
        str(values["id_number"]),
        str(values.get("origin_area_code") or values.get("origin_country")),
        arrived.astimezone(UTC).isoformat(),
        *(str(values.get(name) or "") for name in _DISTINGUISHING.get(feed, ())),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return DERIVED_PREFIX + digest[:32]


def payload_digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8", "replace")).hexdigest()
