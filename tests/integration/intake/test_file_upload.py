"""File upload on the real broker and store: a real XLSX (openpyxl) and a GBK CSV with the
Chinese headers used in practice, Excel row numbers in errors, every feed, refused files."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from contracts.events import InputRejected, RecordReceived
from services.intake.domain.fields import spec
from services.intake.events import record_id
from tests.integration.intake.helpers import auth, read_topic, where
from tests.unit.intake.builders import FEEDS, id_number, record, source_id

pytestmark = pytest.mark.integration

XLSX_HEADER = ["序号", "姓名", "公民身份号码（必填）", "证件类型", "联系电话", "来源地",
               "来源地区划代码", "离开时间", "抵达时间", "现住址", "县/区", "乡镇（街道）",
               "村（社区）", "人员类别", "信号类型 (必填)", "备注"]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person_row(seq: int, **changes: object) -> list[object]:
    values: dict[str, object] = {
        "序号": seq, "姓名": "测试一", "公民身份号码（必填）": id_number(seq),
        "证件类型": "居民身份证",
        "联系电话": 19900000000 + seq, "来源地": "测试市测试区", "来源地区划代码": 110105,
        "离开时间": datetime(2022, 7, 31, 20, 0), "抵达时间": datetime(2022, 8, 1, 10, 0),
        "现住址": "测试镇测试村1号", "县/区": "130826", "乡镇（街道）": 130826100,
        "村（社区）": "130826100201", "人员类别": "次密接", "信号类型 (必填)": "电子围栏",
        "备注": "",
    }
    values.update(changes)
    return [values[h] for h in XLSX_HEADER]


async def upload(intake, feed: str, name: str, data: bytes, token_feed: str | None = None):
    return await intake.client.post(f"/v1/feeds/{feed}/files", files={"file": (name, data)},
                                    headers=auth(token_feed or feed))


async def test_a_real_xlsx_with_chinese_headers_is_accepted_with_excel_row_numbers(intake):
    base = 500  # people no other test uses: their rows get derived ids
    data = xlsx([
        ["测试县返乡人员排查表（测试数据）"],
        XLSX_HEADER,
        person_row(base),
        person_row(base + 1, **{"抵达时间": "2022/8/1 11:30", "联系电话": "199 0000 0001"}),
        [None] * len(XLSX_HEADER),
        person_row(base + 2, **{"公民身份号码（必填）": "13082619900101001"}),
        person_row(base + 3, **{"离开时间": datetime(2022, 8, 2)}),
        person_row(base + 4, **{"乡镇（街道）": "130999100"}),
    ])
    response = await upload(intake, "bigdata", "排查名单.xlsx", data)
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"], body["duplicates"]) == (2, 3, 0)
    assert [(e["row"], e["column"], e["reason"]) for e in body["errors"]] == [
        (6, "公民身份号码（必填）", "invalid_id_number"),
        (7, "离开时间", "time_order"),
        (8, "乡镇（街道）", "invalid_area_code"),
    ]
    assert body["file"]["header_row"] == 2 and body["file"]["rows"] == 5
    assert body["file"]["ignored_columns"] == ["序号", "备注"]

    records = [e.event for e in await read_topic(intake.bootstrap, intake.records_topic)]
    mine = {e.person.id_number: e for e in records if isinstance(e, RecordReceived)
            and e.person.id_number in (id_number(base), id_number(base + 1))}
    assert len(mine) == 2
    first = mine[id_number(base)]
    assert first.source_record_id.startswith("row-")
    assert first.exposure.value == "secondary_close_contact"
    assert first.arrived_at.isoformat() == "2022-08-01T10:00:00+08:00"
    assert first.current.township_code == "130826100" and first.origin.area_code == "110105"
    assert mine[id_number(base + 1)].person.mobile == "19900000001"

    rejected = [e.event for e in await read_topic(intake.bootstrap, intake.rejected_topic)]
    row6 = [e for e in rejected if isinstance(e, InputRejected) and e.channel.value == "file"
            and "13082619900101001" in e.payload]
    assert row6 and row6[0].row == 6 and row6[0].index is None
    assert "公民身份号码（必填）" in row6[0].payload

    again = (await upload(intake, "bigdata", "排查名单(1).xlsx", data)).json()
    assert (again["accepted"], again["duplicates"], again["duplicate_rows"]) == (0, 2, [3, 4])


async def test_a_gbk_csv_with_source_ids_is_detected_and_accepted(intake):
    ids = [source_id("gbk") for _ in range(2)]
    lines = ["源记录编号,姓名,身份证号,手机号,来源地,来源地区划代码,到达时间,村(社区),协查编号,"
             "协查发起省份,回复时限"]
    for n, sid in enumerate(ids):
        lines.append(f"{sid},测试三,{id_number(30 + n)},1990000003{n},测试省测试市,310101,"
                     f"2022/8/1 9:0{n},130826100201,XC-2022-00{n},测试省,2022-08-01 18:00")
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    response = await upload(intake, "assist", "协查名单.csv", data)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 2 and body["file"]["encoding"] in ("gb18030", "gbk")
    events = await read_topic(intake.bootstrap, intake.records_topic)
    [event] = [e.event for e in where(events, lambda e: e.record_id == record_id("assist", ids[1]))]
    assert isinstance(event, RecordReceived)
    assert event.person.name == "测试三" and event.origin.area_name == "测试省测试市"
    assert event.details.feed == "assist" and event.details.request_id == "XC-2022-001"
    assert event.details.reply_by.isoformat() == "2022-08-01T18:00:00+08:00"
    assert event.current.county_code == "130826"


@pytest.mark.parametrize("feed", FEEDS)
async def test_each_feed_uploads_a_csv_headed_with_its_chinese_labels(intake, feed):
    raw = record(feed, seq=40, source_record_id=source_id(feed))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spec(feed, name).label for name in raw])
    writer.writerow(list(raw.values()))
    response = await upload(intake, feed, f"{feed}.csv", buffer.getvalue().encode())
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1, response.json()
    rid = record_id(feed, raw["source_record_id"])
    found = where(await read_topic(intake.bootstrap, intake.records_topic),
                  lambda e: e.record_id == rid)
    assert len(found) == 1 and found[0].event.details.feed == feed


@pytest.mark.parametrize(("name", "data", "status", "code"), [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, 415, "unsupported_file"),
    ("scan.pdf", b"%PDF-1.4 ...", 415, "unsupported_file"),
    ("empty.csv", b"", 415, "unsupported_file"),
    ("garbled.csv", bytes(range(128, 256)) * 8, 400, "bad_encoding"),
    ("short.csv", "姓名,身份证号\n测试一,1\n".encode(), 422, "missing_field"),
])
async def test_unreadable_files_are_refused_whole_with_a_reason(intake, name, data, status, code):
    response = await upload(intake, "bigdata", name, data)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


async def test_a_file_for_another_feed_is_403(intake):
    response = await upload(intake, "contacts", "x.csv", b"a,b\n", token_feed="bigdata")
    assert response.status_code == 403
