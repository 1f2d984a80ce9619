"""Enumerated values and the words spreadsheets and feeds use for them (Chinese and English).

The canonical values are those of the contracts enums (IdType, Exposure, BigdataSignal,
SelfreportChannel, ContactKind); a unit test keeps the two in step.
"""

from __future__ import annotations

import unicodedata

_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "id_type": {
        "resident_id": ("居民身份证", "身份证", "二代身份证", "公民身份证", "身份证号", "01", "1"),
        "passport": ("护照", "普通护照", "外国护照"),
        "other": ("其他", "其它", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "回乡证",
                  "台胞证", "外国人永久居留身份证", "军官证", "士兵证"),
    },
    "exposure": {
        "close_contact": ("密接", "密切接触者", "密切接触", "密接人员"),
        "secondary_close_contact": ("次密接", "次密切接触者", "次密接人员", "密接的密接"),
        "none": ("无", "否", "一般", "一般人员", "非密接", "无暴露", "普通人员"),
    },
    "signal": {
        "electronic_fence": ("电子围栏", "围栏"),
        "police_track": ("警踪", "警综", "公安轨迹"),
        "close_contact_clue": ("密接线索",),
        "fast_screening": ("快排", "快速排查"),
    },
    "channel": {
        "mini_program": ("小程序", "微信小程序", "健康码小程序", "mini-program"),
        "hotline": ("热线", "电话", "热线电话", "12345", "12320"),
        "community": ("社区", "村(社区)", "村委会", "居委会", "社区报备"),
        "other": ("其他", "其它"),
    },
    "contact_kind": {
        "household": ("同住", "共同居住", "家庭", "家庭成员", "同户"),
        "workplace": ("同事", "工作", "同单位", "工作场所"),
        "transport": ("同乘", "交通工具", "同车", "同航班", "同车厢"),
        "same_space": ("同空间", "时空伴随", "同场所"),
        "other": ("其他", "其它"),
    },
}


def choice_key(raw: str) -> str:
    """Compare values ignoring width, case, spaces and ``-`` vs ``_``."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).lower().replace("-", "_")


def _index() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for table, values in _TABLES.items():
        index: dict[str, str] = {}
        for canonical, words in values.items():
            for word in (canonical, *words):
                index[choice_key(word)] = canonical
        out[table] = index
    return out


_INDEX = _index()


def canonical_values(table: str) -> tuple[str, ...]:
    return tuple(_TABLES[table])


def choose(table: str, raw: str) -> str | None:
    """The canonical value for ``raw`` (e.g. 密接 -> close_contact), or None if unknown."""
    return _INDEX[table].get(choice_key(raw))
