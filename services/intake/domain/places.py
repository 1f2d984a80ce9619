"""Place names to codes, for lists that name places instead of coding them (北京市朝阳区, 大阁镇,
北关村). Both tables are data handed in (``adapters/places.py`` loads them): the GB/T 2260
directory of provinces, cities and counties, and the gazetteers of home counties (townships and
their villages). Nothing here guesses: a name that fits several places is refused with the
candidates, a name that fits none is refused with the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from contracts.values import InvalidValue

INVALID_AREA_CODE = "invalid_area_code"
_SKIP = set(" \t·•-—_/\\、,，;；:：()（）[]【】<>《》\"'“”‘’")
# The 56 nationalities, for autonomous areas: 丰宁满族自治县 -> 丰宁,
# 黔东南苗族侗族自治州 -> 黔东南.
_NATIONS = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 "
            "佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 "
            "仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 "
            "独龙 鄂伦春 赫哲 门巴 珞巴 基诺 汉 各").split()
_ETHNIC = "(?:(?:" + "|".join(sorted(_NATIONS, key=len, reverse=True)) + ")族)+"
# Short forms people write: 河北 for 河北省, 承德 for 承德市, 丰宁 for 丰宁满族自治县, 浦东 for
# 浦东新区. cpca keeps 区/县 on county names because stripping them collides often; here a
# collision is reported as ambiguous, never resolved silently.
_PROVINCE_SUFFIX = re.compile(r"^(.{2,}?)(特别行政区|维吾尔自治区|壮族自治区|回族自治区|"
                              r"自治区|省|市)$")
_CITY_SUFFIX = re.compile(rf"^(.{{2,}}?)({_ETHNIC}自治州|自治州|地区|盟|市)$")
_COUNTY_SUFFIX = re.compile(rf"^(.{{2,}}?)({_ETHNIC}自治县|{_ETHNIC}自治旗|自治县|自治旗|"
                            r"新区|林区|特区|区|县|市|旗)$")
_TOWNSHIP_SUFFIX = re.compile(rf"^(.{{2,}}?)({_ETHNIC}乡|街道办事处|街道|办事处|镇|乡|苏木)$")
_VILLAGE_SUFFIX = re.compile(r"^(.{2,}?)(村民委员会|居民委员会|村委会|居委会|社区|村)$")


def _key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in _SKIP
                   and not ch.isspace())


def looks_like_name(value: object) -> bool:
    """A cell that names a place rather than coding it (no digit in it)."""
    # str.isdigit also knows full-width digits (１３０８２６): no normalization needed.
    return isinstance(value, str) and not any(map(str.isdigit, value)) and bool(value.strip())


def _short(name: str, suffix: re.Pattern[str]) -> str | None:
    match = suffix.match(name)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    """6-digit GB/T 2260 code (province 110000, city 130800, county 130826)."""
    name: str
    full_name: str
    """Province, city and county names together: 河北省承德市丰宁满族自治县."""


def _prefix(code: str) -> str:
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


class AreaDirectory:
    """Provinces, cities and counties by name (official or short), with their codes."""

    def __init__(self, areas: Iterable[tuple[str, str]]) -> None:
        """``areas``: (6-digit code, official name) pairs, e.g. ("130826", "丰宁满族自治县")."""
        names = {code: name for code, name in areas}
        self._by_code: dict[str, Area] = {}
        self._index: dict[str, list[tuple[Area, bool]]] = {}
        for code, name in sorted(names.items()):
            level = len(_prefix(code))
            chain = [names.get(code[:2] + "0000")] if level >= 4 else []
            chain += [names.get(code[:4] + "00")] if level >= 6 else []
            full = ""
            for part in (*chain, name):
                if part and not full.endswith(part):
                    full += part
            area = Area(code, name, full)
            self._by_code[code] = area
            suffix = {2: _PROVINCE_SUFFIX, 4: _CITY_SUFFIX}.get(level, _COUNTY_SUFFIX)
            self._add(_key(name), area, exact=True)
            short = _short(name, suffix)
            if short:
                self._add(short, area, exact=False)
        self._longest = max((len(k) for k in self._index), default=0)
        self.resolve = lru_cache(maxsize=8192)(self._resolve)  # lists repeat their places

    def _add(self, key: str, area: Area, *, exact: bool) -> None:
        entries = self._index.setdefault(key, [])
        if all(a.code != area.code for a, _ in entries):
            entries.append((area, exact))

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Area | None:
        return self._by_code.get(code)

    def _mentions(self, text: str) -> list[list[tuple[Area, bool]]]:
        """Longest known names from the start; the first unknown text ends the place."""
        key = _key(text)
        if key.startswith("中国") and len(key) > 2:
            key = key[2:]
        out, i = [], 0
        while i < len(key):
            for length in range(min(self._longest, len(key) - i), 1, -1):
                found = self._index.get(key[i:i + length])
                if found:
                    out.append(found)
                    i += length
                    break
            else:
                break  # 北京市朝阳区望京街道: the rest is detail below the county
        return out

    def _resolve(self, text: str) -> Area:
        """The area a name designates; InvalidValue (invalid_area_code) when none or several."""
        mentions = self._mentions(text)
        if not mentions:
            raise InvalidValue(INVALID_AREA_CODE, f"no province, city or county is named "
                               f"{text.strip()!r}; write it like 北京市朝阳区 or give its code")
        candidates = [
            (area, exact) for area, exact in mentions[-1]
            if all(any(area.code.startswith(_prefix(a.code)) for a, _ in m)
                   for m in mentions[:-1])
        ]
        if not candidates:
            raise InvalidValue(INVALID_AREA_CODE, f"{text.strip()!r} names places that do not "
                               "contain each other; check the province, city and county")
        if any(exact for _, exact in candidates):
            candidates = [c for c in candidates if c[1]]
        areas = [a for a, _ in candidates]
        # 北京市 is both the province 110000 and its city 110100: the enclosing one stands.
        outer = [a for a in areas if all(b.code.startswith(_prefix(a.code)) for b in areas)]
        if len(areas) == 1 or outer:
            return (outer or areas)[0]
        listed = "、".join(f"{a.full_name} ({a.code})" for a in areas[:8])
        raise InvalidValue(INVALID_AREA_CODE, f"{text.strip()!r} is ambiguous: {listed}; "
                           "write the province or city too")


@dataclass(frozen=True, slots=True)
class CountyPlaces:
    """One county's gazetteer: (township code, name, ((village code, name), ...)), ..."""

    county_code: str
    county_name: str
    townships: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]
    _townships: dict[str, list[tuple[str, str]]] = field(default_factory=dict, init=False)
    _villages: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict,
                                                                   init=False)
    _prefixed: list[str] = field(default_factory=list, init=False)
    """Township names, longest first, for a village written after its township."""

    def __post_init__(self) -> None:
        for code, name, villages in self.townships:
            for key in {_key(name), _short(_key(name), _TOWNSHIP_SUFFIX)} - {None}:
                assert key is not None
                self._townships.setdefault(key, []).append((code, name))
            index = self._villages.setdefault(code, {})
            for vcode, vname in villages:
                for key in {_key(vname), _short(_key(vname), _VILLAGE_SUFFIX)} - {None}:
                    assert key is not None
                    index.setdefault(key, []).append((vcode, vname))
        self._prefixed.extend(sorted(self._townships, key=len, reverse=True))

    def township(self, text: str) -> str:
        found = self._townships.get(_key(text), [])
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise InvalidValue(INVALID_AREA_CODE, f"no township (乡镇/街道) named {text.strip()!r}"
                               f" in {self.county_name} ({self.county_code})")
        listed = "、".join(f"{n} ({c})" for c, n in found)
        raise InvalidValue(INVALID_AREA_CODE, f"{text.strip()!r} is ambiguous: {listed}")

    def village(self, text: str, township: str | None) -> str:
        key = _key(text)
        for tkey in self._prefixed if len(key) > 3 else ():  # 大阁镇北关村
            if key.startswith(tkey) and len(key) > len(tkey) + 1:
                township = township or self.township(tkey)
                key = key[len(tkey):]
                break
        scope = [township] if township else [code for code, _, _ in self.townships]
        found = [v for t in scope for v in self._villages.get(t, {}).get(key, [])]
        where = f"township {township}" if township else f"{self.county_name} ({self.county_code})"
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise InvalidValue(INVALID_AREA_CODE, f"no village (村/社区) named {text.strip()!r} "
                               f"in {where}")
        listed = "、".join(f"{n} ({c})" for c, n in found[:8])
        raise InvalidValue(INVALID_AREA_CODE, f"{text.strip()!r} is in several townships: "
                           f"{listed}; give the township (所属乡镇) too")


@dataclass(frozen=True, slots=True)
class Places:
    """What intake resolves names with; either part may be missing (then names are refused)."""

    areas: AreaDirectory | None = None
    counties: dict[str, CountyPlaces] = field(default_factory=dict)

    def county(self, code: str) -> CountyPlaces:
        found = self.counties.get(code)
        if found is None:
            shipped = "、".join(sorted(self.counties)) or "none"
            raise InvalidValue(INVALID_AREA_CODE, f"township and village names are resolved "
                               f"only in counties with a gazetteer ({shipped}), not in {code}; "
                               "give the code")
        return found
