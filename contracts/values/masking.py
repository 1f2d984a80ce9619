"""PII masking for logs and screens: never log an ID number, phone or full name unmasked."""

from __future__ import annotations

from contracts.values.errors import to_ascii


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    stars = "*" * (len(value) - keep_head - keep_tail)
    return value[:keep_head] + stars + value[len(value) - keep_tail :]


def mask_id_number(value: str) -> str:
    """13082619900101123X -> 1308**********123X; short passport-style numbers keep 2+2."""
    value = to_ascii(value).upper()
    return _mask(value, 4, 4) if len(value) >= 15 else _mask(value, 2, 2)


def mask_mobile(value: str) -> str:
    """13812345678 -> 138****5678."""
    return _mask(to_ascii(value), 3, 4)


def mask_name(value: str) -> str:
    """Keep the first character (the surname in most Chinese names): 测试 -> 测*."""
    value = value.strip()
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)
