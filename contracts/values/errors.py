"""The one error type every domain value check raises, with a machine-readable code."""

from __future__ import annotations


class InvalidValue(ValueError):
    """A value failed a domain check; ``code`` matches an InputRejected reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def to_ascii(raw: str) -> str:
    """Full-width digits/letters to ASCII and all whitespace (incl. U+3000) removed."""
    out = []
    for ch in raw:
        if ch.isspace():
            continue
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
            ch = chr(code - 0xFEE0)
        out.append(ch)
    return "".join(out)
