"""Synthetic intake inputs: valid records per feed (check-digit-correct ID numbers, 199 test
mobiles, placeholder names 测试一…), shared by the unit and integration tests."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook

from contracts.values import check_digit

NAMES = ("测试一", "测试二", "测试三", "测试四", "测试五", "测试六", "测试七", "测试八", "测试九")
FEEDS = ("bigdata", "assist", "selfreport", "screening", "contacts")
FEED_EXTRA: dict[str, dict[str, str]] = {
    "bigdata": {"signal": "电子围栏"},
    "assist": {"request_id": "XC-2022-0001", "requesting_province": "测试省",
               "reply_by": "2022-08-01 18:00"},
    "selfreport": {"channel": "小程序", "reported_at": "2022-08-01 09:00"},
    "screening": {"screened_by": "测试卡口组", "checkpoint": "测试卡口"},
    "contacts": {"case_ref": "BL-0001", "last_contact_at": "2022-07-30 18:00",
                 "contact_kind": "同住"},
}


def id_number(seq: int = 1, area: str = "130826", born: date = date(1990, 1, 1)) -> str:
    body = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return body + check_digit(body)


def mobile(seq: int = 1) -> str:
    return f"1990000{seq % 10000:04d}"


def source_id(prefix: str = "src") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def record(feed: str = "bigdata", seq: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid JSON record for ``feed``; keyword overrides replace (None removes) fields."""
    base: dict[str, Any] = {
        "source_record_id": f"src-{seq}",
        "name": NAMES[seq % len(NAMES)],
        "id_type": "resident_id",
        "id_number": id_number(seq),
        "mobile": mobile(seq),
        "origin_area_code": "110105",
        "origin_area_name": "测试市测试区",
        "departed_at": "2022-07-31 20:00",
        "arrived_at": "2022-08-01 10:00",
        "current_county_code": "130826",
        "current_township_code": "130826100",
        "current_village_code": "130826100201",
        "current_address": "测试镇测试村1号",
        "exposure": "none",
        **FEED_EXTRA[feed],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


LIST_2022_HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "从何地返回（具体到县区）",
                    "返回时间", "交通方式", "所属乡镇", "所属村", "是否已做核酸", "备注"]
LIST_2022_ORIGINS = {"北京市朝阳区": "110105", "河北省石家庄市长安区": "130102",
                     "天津市滨海新区": "120116", "上海浦东": "310115", "承德市双桥区": "130802",
                     "北京海淀": "110108", "内蒙古锡林郭勒盟正蓝旗": "152530",
                     "辽宁省朝阳市双塔区": "211302"}
_TOWNSHIPS = ("大阁镇", "大滩镇", "鱼儿山镇")
_VILLAGES = ("北关村", "南关村", "东街村", "西街村", "前进村", "新村", "河东村", "河西村")


def list_2022(rows: int, born: date, origins: dict[int, str] | None = None
              ) -> tuple[bytes, dict[int, str]]:
    """An XLSX shaped like the lists counties filled in 2022: a merged title row, then 序号,
    places by name (origin, township, village of the demo county), no 排查单位 column. Data
    starts on Excel row 3; ``origins`` overrides the origin of some rows. Returns the file and
    the ID number of each row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["丰宁县返丰人员排查登记表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LIST_2022_HEADER))
    sheet.append(LIST_2022_HEADER)
    names, people = list(LIST_2022_ORIGINS), {}
    for i in range(rows):
        excel_row = 3 + i
        number = id_number(i, born=born + timedelta(days=i // 1000))
        origin = (origins or {}).get(excel_row, names[i % len(names)])
        sheet.append([i + 1, NAMES[i % len(NAMES)], "男" if i % 2 else "女", number,
                      f"1990000{i % 10000:04d}", origin,
                      datetime(2022, 8, 1, 8) + timedelta(minutes=i), "自驾",
                      _TOWNSHIPS[i % len(_TOWNSHIPS)], _VILLAGES[i % len(_VILLAGES)], "是", ""])
        people[excel_row] = number
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), people
