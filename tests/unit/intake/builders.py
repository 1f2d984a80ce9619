"""Synthetic intake inputs: valid records per feed (check-digit-correct ID numbers, 199 test
mobiles, placeholder names 测试一…), shared by the unit and integration tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

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
