"""Column headers (and JSON keys) to canonical field names.

Spreadsheets in the field use many spellings of one column: 身份证号 / 公民身份号码 / 证件号码,
full-width parentheses, stray spaces and line breaks, "*" or "（必填）" markers, notes such as
"（格式：2022-08-01 10:00）". A header is normalized (NFKC, no whitespace, no markers), looked
up, and if unknown its trailing bracketed note is dropped and it is looked up again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from services.intake.domain.fields import COMMON, FEED_FIELDS

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "source_record_id": ("源记录编号", "记录编号", "数据编号", "源数据编号", "推送编号", "记录ID",
                         "数据ID", "流水号", "sourceid", "record_no"),
    "name": ("姓名", "人员姓名", "名字"),
    "id_type": ("证件类型", "证件种类"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "证件号",
                  "身份证", "身份证件号码"),
    "mobile": ("手机号", "手机号码", "联系电话", "联系方式", "电话", "电话号码", "手机"),
    "origin_area_name": ("来源地", "来源地区", "来源地名称", "来自地区", "来源地区名称", "来源",
                         "从何地返回", "从何地来", "从何处返回", "何地返回", "返回地", "返回地点",
                         "来自何地", "出发地", "来丰前所在地", "返乡前所在地", "外出地",
                         "来源地址"),
    "origin_area_code": ("来源地区划代码", "来源地代码", "来源地行政区划代码", "来源地区划",
                         "来源地区代码"),
    "origin_country": ("来源国家/地区", "来源国家", "来源国家(地区)", "国家/地区", "国家(地区)",
                       "来源国", "境外来源国家", "入境前所在国家", "出发国家", "国家"),
    "departed_at": ("离开时间", "离开来源地时间", "离开日期", "离开来源地日期", "出发时间",
                    "出发日期", "返程时间"),
    "arrived_at": ("到达时间", "抵达时间", "到达日期", "抵达日期", "抵达本地时间", "到达本地时间",
                   "返回时间", "入境时间", "返回日期", "返丰时间", "返乡时间",
                   "到丰时间", "抵丰时间", "返回本地时间", "到达本地日期", "入境日期"),
    "current_address": ("现住址", "现居住地址", "现住地址", "详细地址", "居住地址", "现居住地",
                        "家庭住址", "住址", "详细住址", "现住详细地址"),
    "current_county_code": ("县/区", "县区", "县(区)", "县(市、区)", "县(市区)", "所属县区",
                            "县区代码", "县/区代码", "现住县区"),
    "current_township_code": ("乡镇/街道", "乡镇(街道)", "乡镇街道", "乡镇", "街道", "所属乡镇",
                              "乡镇/街道代码", "所在乡镇", "乡镇名称", "现住乡镇", "所属街道",
                              "所属乡镇(街道)"),
    "current_village_code": ("村(社区)", "村/社区", "村社区", "村居", "村", "社区", "所属村(社区)",
                             "村(社区)代码", "所属村", "所在村", "村名", "所属村居", "现住村",
                             "村(居)", "所属社区"),
    "exposure": ("暴露类型", "人员类别", "人员类型", "风险类别", "接触者类别"),
    "signal": ("信号类型", "线索类型", "数据类型"),
    "request_id": ("协查编号", "协查单号", "协查函编号", "协查请求编号"),
    "requesting_province": ("协查发起省份", "发起省份", "请求省份", "协查省份", "发函省份",
                            "协查发起地"),
    "reply_by": ("回复时限", "反馈时限", "回复截止时间", "反馈截止时间"),
    "channel": ("上报渠道", "自报渠道", "报备渠道", "渠道"),
    "reported_at": ("上报时间", "自报时间", "报备时间"),
    "screened_by": ("排查单位", "排查人", "排查人员", "排查责任单位", "填报单位",
                    "排查责任人"),
    "checkpoint": ("卡口", "卡口名称", "检查站", "查验卡口"),
    "case_ref": ("关联病例编号", "关联病例", "病例编号", "关联确诊病例"),
    "last_contact_at": ("末次接触时间", "最后接触时间", "末次暴露时间"),
    "contact_kind": ("接触类型", "接触方式", "接触关系"),
}
_MARKERS = "*＊#★☆"
# A trailing bracketed note such as (必填), 【必填】, [选填], (格式:2022-08-01).
_TRAILING_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")
_LEADING_MARK = re.compile(r"^[(\[【](必填|必填项|选填|非必填|可选)[)\]】]")


def normalize_header(raw: object) -> str:
    """Compare headers ignoring width, whitespace (incl. line breaks), markers, case, a colon."""
    text = unicodedata.normalize("NFKC", str(raw))
    text = "".join(text.split()).strip(_MARKERS).rstrip(":").strip(_MARKERS)
    return _LEADING_MARK.sub("", text).strip(_MARKERS).lower()


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for field in [s.name for s in COMMON] + [s.name for f in FEED_FIELDS.values() for s in f]:
        for word in (field, field.replace("_", ""), *COLUMN_ALIASES.get(field, ())):
            key = normalize_header(word)
            if table.get(key, field) != field:
                raise ValueError(f"alias {word!r} maps to both {table[key]} and {field}")
            table[key] = field
    return table


ALIAS_TABLE = _table()


@lru_cache(maxsize=4096)
def field_for(header: object) -> str | None:
    """The canonical field a header or key names, e.g. 公民身份号码（必填） -> id_number."""
    key = normalize_header(header)
    for _ in range(3):
        if not key:
            return None
        found = ALIAS_TABLE.get(key)
        if found is not None:
            return found
        stripped = _TRAILING_NOTE.sub("", key).strip(_MARKERS)
        if stripped == key:
            return None
        key = stripped
    return None
