"""Countries of arrivals from abroad (境外返回): an ISO 3166-1 alpha-2 code or its Chinese name
(CLDR, via the generated ``country_names`` table; 香港 and 澳门 also without their long form)."""

from __future__ import annotations

import re
import unicodedata

from contracts.values import InvalidValue
from services.intake.domain.country_names import COUNTRY_NAMES

_LONG_FORM = re.compile(r"^(中国)?(.+?)(特别行政区)?$")


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, name in COUNTRY_NAMES.items():
        index[name] = code
        short = _LONG_FORM.sub(r"\2", name)  # 中国香港特别行政区 -> 香港
        index.setdefault(short, code)
    return index


_BY_NAME = _index()
_LONGEST = max(len(name) for name in _BY_NAME)


def country_code(raw: str) -> str:
    """ISO alpha-2 code of a code or Chinese name; InvalidValue (invalid_value) otherwise."""
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    if text.upper() in COUNTRY_NAMES:
        return text.upper()
    if text.upper() == "CN" or text in ("中国", "中华人民共和国"):
        raise InvalidValue("invalid_value", "China is not abroad: give the area (来源地) instead")
    found = find_country(text)
    if found is None:
        raise InvalidValue("invalid_value", f"{raw.strip()!r} is not a country code (ISO 3166-1 "
                           "alpha-2) or a Chinese country name")
    return found


def find_country(text: str) -> str | None:
    """The country a place name starts with (美国纽约 -> US), or None."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    for length in range(min(_LONGEST, len(key)), 1, -1):
        code = _BY_NAME.get(key[:length])
        if code is not None:
            return code
    return None
