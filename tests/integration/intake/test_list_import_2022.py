"""A list as counties really filled them in 2022 (title row, 序号, places by name, no 排查单位
column), uploaded to the real service: every resolvable row accepted, each unresolvable place
its own rejection naming the value. Prints the import figures for 1,000 rows."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest

from contracts.events import RecordReceived
from tests.integration.intake.helpers import auth, read_topic
from tests.unit.intake.builders import LIST_2022_ORIGINS as ORIGINS
from tests.unit.intake.builders import list_2022

pytestmark = pytest.mark.integration

AMBIGUOUS_ROW, UNKNOWN_ROW, ABROAD_ROW = 3 + 100, 3 + 500, 3 + 900  # Excel rows (data from 3)
SPECIAL = {AMBIGUOUS_ROW: "朝阳区", UNKNOWN_ROW: "测试市测试区", ABROAD_ROW: "美国"}


def listing(rows: int, born: date) -> tuple[bytes, dict[int, str]]:
    return list_2022(rows, born, SPECIAL)


async def upload(intake, data: bytes, sets: list[str]):
    return await intake.client.post(
        "/v1/feeds/screening/files", files={"file": ("返丰人员排查登记表.xlsx", data)},
        data={"set": sets}, headers=auth("screening"))


async def test_a_2022_list_of_1000_rows_imports_with_places_resolved(intake):
    rows = 1000
    data, people = listing(rows, born=date(1981, 3, 1))
    started = time.perf_counter()
    response = await upload(intake, data, ["排查单位=大阁镇排查组", "县/区=130826"])
    seconds = time.perf_counter() - started
    assert response.status_code == 202, response.text
    body = response.json()
    reasons = Counter(e["reason"] for e in body["errors"])
    print(f"\n2022-style list: {body['file']['rows']} rows, {body['accepted']} accepted, "
          f"{body['rejected']} rejected {dict(reasons)}, {seconds:.2f} s")
    assert body["file"]["header_row"] == 2 and body["file"]["rows"] == rows
    assert body["file"]["ignored_columns"] == ["序号", "性别", "交通方式", "是否已做核酸", "备注"]
    assert (body["accepted"], body["rejected"], body["duplicates"]) == (rows - 2, 2, 0)
    by_row = {e["row"]: e for e in body["errors"]}
    assert set(by_row) == {AMBIGUOUS_ROW, UNKNOWN_ROW}
    for row, value in ((AMBIGUOUS_ROW, "朝阳区"), (UNKNOWN_ROW, "测试市测试区")):
        error = by_row[row]
        assert (error["column"], error["reason"]) == ("从何地返回（具体到县区）",
                                                      "invalid_area_code")
        assert repr(value) in error["message"]
    assert "110105" in by_row[AMBIGUOUS_ROW]["message"]
    assert "220104" in by_row[AMBIGUOUS_ROW]["message"]

    mine = {e.event.person.id_number: e.event
            for e in await read_topic(intake.bootstrap, intake.records_topic)
            if isinstance(e.event, RecordReceived) and e.event.feed.value == "screening"
            and e.event.person.id_number in set(people.values())}
    assert len(mine) == rows - 2
    first = mine[people[3]]
    assert first.origin is not None and first.origin.area_code == "110105"
    assert first.origin.area_name == "北京市朝阳区"
    assert (first.current.county_code, first.current.township_code,
            first.current.village_code) == ("130826", "130826100", "130826100200")
    assert first.details.feed == "screening" and first.details.screened_by == "大阁镇排查组"
    assert first.arrived_at.isoformat() == "2022-08-01T08:00:00+08:00"
    second = mine[people[4]]
    assert second.current.village_code == "130826101201"  # 南关村 of 大滩镇, not of 大阁镇
    abroad = mine[people[ABROAD_ROW]]
    assert abroad.origin is None and abroad.origin_country == "US"
    for row, number in people.items():
        if row not in (AMBIGUOUS_ROW, UNKNOWN_ROW, ABROAD_ROW):
            i = row - 3
            assert mine[number].origin.area_code == ORIGINS[list(ORIGINS)[i % len(ORIGINS)]]


async def test_a_list_without_a_required_column_is_refused_unless_it_is_set(intake):
    data, _ = listing(3, born=date(1982, 4, 1))
    refused = await upload(intake, data, [])
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "missing_field"
    assert "排查单位" in refused.json()["error"]["message"]
    unknown = await upload(intake, data, ["血型=A"])
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_field"
    malformed = await upload(intake, data, ["排查单位"])
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "invalid_value"


async def test_a_file_with_a_header_and_no_rows_is_422(intake):
    data = "姓名,身份证号,来源地,来源地区划代码,到达时间,乡镇/街道,信号类型\n".encode()
    response = await intake.client.post("/v1/feeds/bigdata/files",
                                        files={"file": ("empty.csv", data)},
                                        headers=auth("bigdata"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_data_rows"
    assert "no data rows" in response.json()["error"]["message"]
