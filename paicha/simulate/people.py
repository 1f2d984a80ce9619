"""Synthetic people and records for the simulator: valid ID numbers, plausible places and times.

Nothing here names anyone: names are "测试" plus a serial number; ID numbers carry a correct
GB 11643-1999 check digit over a random birth date and a real area prefix.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.values import check_digit

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The demo county (丰宁满族自治县, 130826) and a few of its townships / villages.
HOME_COUNTY = "130826"
HOME_TOWNSHIPS = ("130826100", "130826101", "130826102", "130826200", "130826201")
# Origins: county codes people travel from, with names (GB/T 2260).
ORIGINS: tuple[tuple[str, str], ...] = (
    ("110105", "北京市朝阳区"),
    ("110108", "北京市海淀区"),
    ("120101", "天津市和平区"),
    ("130102", "石家庄市长安区"),
    ("130602", "保定市竞秀区"),
    ("130802", "承德市双桥区"),
    ("150102", "呼和浩特市新城区"),
    ("310115", "上海市浦东新区"),
    ("440305", "深圳市南山区"),
    ("210102", "沈阳市和平区"),
)
# Arrivals from abroad (境外返丰): ISO 3166-1 country codes; intake takes code or Chinese name.
ABROAD: tuple[tuple[str, str], ...] = (
    ("KR", "韩国"), ("JP", "日本"), ("RU", "俄罗斯"), ("MN", "蒙古"), ("US", "美国"),
    ("DE", "德国"), ("SG", "新加坡"),
)
SIGNALS = ("electronic_fence", "police_track", "close_contact_clue", "fast_screening")
CHANNELS = ("mini_program", "hotline", "community", "other")
CONTACT_KINDS = ("household", "workplace", "transport", "same_space", "other")
PROVINCES = ("北京市", "天津市", "内蒙古自治区", "辽宁省", "山西省")


def id_number(rng: random.Random, area: str) -> str:
    born = datetime(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    first17 = f"{area}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + check_digit(first17)


@dataclass
class RecordFactory:
    """Makes one feed's raw records (the flat JSON intake accepts on every path)."""

    rng: random.Random
    serial: int = 0
    abroad_share: float = 0.0  # share of arrivals from abroad (an origin country, no area)

    def record(self, feed: str, now: datetime) -> dict[str, Any]:
        self.serial += 1
        rng = self.rng
        origin_code, origin_name = rng.choice(ORIGINS)
        if rng.random() < 0.5:  # half the origins are given down to the township
            origin_code += f"{rng.randrange(1, 20):03d}"
        # Returning residents hold a resident ID issued in the home county.
        abroad = rng.choice(ABROAD) if rng.random() < self.abroad_share else None
        arrived = now - timedelta(minutes=rng.randrange(10, 72 * 60))
        township = rng.choice(HOME_TOWNSHIPS)
        record: dict[str, Any] = {
            "source_record_id": f"sim-{feed}-{self.serial:08d}-{rng.randrange(16**6):06x}",
            "name": f"测试{self.serial}",
            "id_number": id_number(rng, HOME_COUNTY if abroad else origin_code[:6]),
            "mobile": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "origin_area_code": origin_code,
            "origin_area_name": origin_name,
            "departed_at": (arrived - timedelta(hours=rng.randrange(1, 30))).isoformat(),
            "arrived_at": arrived.isoformat(),
            "current_county_code": HOME_COUNTY,
            "current_township_code": township,
            "current_village_code": f"{township}{rng.randrange(200, 215):03d}",
            "current_address": f"第{rng.randrange(1, 40)}组{rng.randrange(1, 99)}号",
            "exposure": "none",
        }
        if abroad:
            del record["origin_area_code"], record["origin_area_name"]
            # Either form intake accepts: the code (KR) or the Chinese name (韩国).
            record["origin_country"] = abroad[0] if rng.random() < 0.5 else abroad[1]
        record.update(self._details(feed, now))
        return record

    def _details(self, feed: str, now: datetime) -> dict[str, Any]:
        rng = self.rng
        if feed == "bigdata":
            return {"signal": rng.choice(SIGNALS)}
        if feed == "assist":
            return {
                "request_id": f"XC{self.serial:08d}",
                "requesting_province": rng.choice(PROVINCES),
                "reply_by": (now + timedelta(hours=rng.choice((1, 3, 6, 24)))).isoformat(),
            }
        if feed == "selfreport":
            return {"channel": rng.choice(CHANNELS), "reported_at": now.isoformat()}
        if feed == "screening":
            return {"screened_by": f"{rng.choice(HOME_TOWNSHIPS)}网格", "checkpoint": "入丰卡口"}
        if feed == "contacts":
            exposure = "close_contact" if rng.random() < 0.7 else "secondary_close_contact"
            return {
                "exposure": exposure,
                "case_ref": f"BL{rng.randrange(1, 50):04d}",
                "last_contact_at": (now - timedelta(days=rng.randrange(0, 5))).isoformat(),
                "contact_kind": rng.choice(CONTACT_KINDS),
            }
        raise ValueError(f"unknown feed {feed!r}")


def spoil(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """An invalid variant of a record, of the kinds real feeds send."""
    bad = dict(record)
    kind = rng.randrange(5)
    if kind == 0:  # a mistyped ID: its check digit no longer matches
        digits = bad["id_number"]
        bad["id_number"] = digits[:10] + str((int(digits[10]) + 1) % 10) + digits[11:]
    elif kind == 1:
        bad["mobile"] = "1234567"
    elif kind == 2:
        bad["origin_area_code"] = "99"
    elif kind == 3:
        bad["arrived_at"] = "昨天下午"
    else:
        bad.pop("name")
    return bad
