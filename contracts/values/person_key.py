"""The person key: keyed HMAC-SHA256 of the normalized ID type and number (hex).

It lets every non-restricted topic refer to a person without carrying the ID number.
"""

from __future__ import annotations

import hashlib
import hmac

from contracts.values.id_number import normalize_id_number

PERSON_KEY_PATTERN = r"^[0-9a-f]{64}$"


def person_key(id_type: str, id_number: str, key: bytes) -> str:
    """Same person (any spacing, case of x, full-width digits) -> same key; needs the secret."""
    if not isinstance(key, bytes | bytearray) or not key:
        raise ValueError("person key secret must be non-empty bytes")
    message = f"{id_type.strip().lower()}:{normalize_id_number(id_number)}".encode()
    return hmac.new(bytes(key), message, hashlib.sha256).hexdigest()
