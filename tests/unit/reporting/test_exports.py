"""CSV and XLSX exports: per feed and per township with Chinese headers, figures as in the
JSON report; the HTML page escapes names and carries the charts inline."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from services.reporting.adapters import exports, page
from services.reporting.domain.report import County, build_report
from services.reporting.domain.snapshot import take
from tests.unit.reporting.test_briefing import DAY, START, TODAY, Builder

COUNTY = County("130826", "丰", "丰宁满族自治县", {"130826100": "大阁镇", "130826101": "<b>镇"})


def _report() -> dict:  # type: ignore[type-arg]
    b = Builder()
    b.person("a", [("bigdata", TODAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.person("b", [("selfreport", TODAY)], "low_risk_area", "low", "health_monitoring",
             "unreachable", township="130826101")
    return build_report(take(b.view), DAY, START, COUNTY)


def test_csv_has_chinese_headers_a_bom_and_rows_per_feed_and_township() -> None:
    data = exports.to_csv(_report())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["日期", "分组", "名称", "今日推送", "已核实"]
    by_name = {(r[1], r[2]): r for r in rows[1:]}
    assert by_name[("按渠道", "大数据推送")][3:5] == ["1", "1"]
    assert by_name[("按渠道", "群众自报")][3:7] == ["1", "0", "0", "1"]
    assert by_name[("按乡镇", "大阁镇")][3] == "1"
    assert by_name[("按渠道", "合计")][3] == "2" and by_name[("按乡镇", "合计")][3] == "2"


def test_xlsx_has_a_sheet_per_grouping_and_the_briefing() -> None:
    report = _report()
    book = load_workbook(io.BytesIO(exports.to_xlsx(report)))
    assert book.sheetnames == ["按渠道", "按乡镇", "简报"]
    towns = [[c.value for c in row] for row in book["按乡镇"].iter_rows()]
    assert towns[0][:3] == ["日期", "乡镇", "今日推送"]
    assert [r[1] for r in towns[1:]] == ["大阁镇", "<b>镇", "合计"]
    assert [c.value for c in book["简报"]["A"]][1:] == report["briefing"]


def test_page_escapes_names_and_draws_inline_svg() -> None:
    html = page.render(_report())
    assert "&lt;b&gt;镇" in html and "<b>镇" not in html
    assert html.count('<rect class="bar"') == 24
    assert not any(tag in html for tag in ("<script", "<link", "src=", "href="))  # no CDN
