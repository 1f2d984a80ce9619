"""The daily briefing, sentence by sentence, for known scenarios (SPEC §2 "Daily briefing")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.types import SHANGHAI
from services.reporting.domain.briefing import BriefingFigures, briefing, sentence_records
from services.reporting.domain.counters import CountingView
from services.reporting.domain.report import County, build_report
from services.reporting.domain.snapshot import take
from services.reporting.facts import record_key

DAY = date(2022, 7, 12)
START = date(2022, 7, 1)
COUNTY = County("130826", "丰", "丰宁满族自治县", {"130826100": "大阁镇"})
TODAY = datetime(2022, 7, 12, 9, tzinfo=SHANGHAI)
YESTERDAY = TODAY - timedelta(days=1)


class Builder:
    """Facts as the consumer makes them, for a hand-written scenario."""

    def __init__(self) -> None:
        self.view = CountingView()
        self.n = 0

    def _apply(self, fact: dict[str, object]) -> None:
        self.n += 1
        self.view.apply(f"e{self.n}", fact)

    def person(self, case: str, records: list[tuple[str, datetime]], category: str, level: str,
               measure: str, outcome: str | None = None, township: str = "130826100") -> None:
        src = [{"rec": record_key(feed, f"{case}-{i}"), "feed": feed, "at": at.isoformat()}
               for i, (feed, at) in enumerate(records)]
        for (feed, at), source in zip(records, src, strict=True):
            self._apply({"k": "record", "rec": source["rec"], "rid": source["rec"],
                         "feed": feed, "at": at.isoformat(), "tw": township})
        self._apply({"k": "case", "case": case, "at": records[0][1].isoformat(), "rank": 0,
                     "cat": category, "lvl": level, "msr": measure, "tw": township,
                     "src": src})
        task = {"k": "task", "task": f"t-{case}", "case": case}
        self._apply({**task, "ev": "assigned", "at": records[0][1].isoformat(),
                     "due": (records[0][1] + timedelta(hours=2)).isoformat()})
        if outcome is None:
            return
        done_at = (records[-1][1] + timedelta(minutes=30)).isoformat()
        applied = measure if outcome == "verified_measure_applied" else None
        self._apply({**task, "ev": "outcome", "at": done_at, "outcome": outcome,
                     "measure": applied})
        if outcome not in ("system_fault", "unreachable"):
            self._apply({**task, "ev": "closed", "at": done_at, "outcome": outcome,
                         "measure": applied or "none"})

    def test(self, case: str, name: str, test_date: date, result: str | None,
             overdue: bool = False) -> None:
        base = {"k": "test", "test": name, "case": case}
        self._apply({**base, "ev": "scheduled", "at": TODAY.isoformat(),
                     "date": test_date.isoformat()})
        if result:
            self._apply({**base, "ev": "result", "at": TODAY.isoformat(), "result": result})
        if overdue:
            self._apply({**base, "ev": "overdue", "at": TODAY.isoformat()})

    def sentences(self) -> list[str]:
        return list(build_report(take(self.view), DAY, START, COUNTY)["briefing"])


def test_all_done_all_low_risk_all_negative() -> None:
    b = Builder()
    b.person("a", [("selfreport", TODAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.person("b", [("screening", TODAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.person("c", [("bigdata", TODAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.test("a", "a1", DAY, "negative")
    s = b.sentences()
    assert s[0] == ("七月以来，共排查涉疫风险人员3人（其中自主报备和基层排查2人、大数据推送1人、"
                    "协查推送0人、境外返丰0人），均落实相关管控措施（其中集中隔离0人、"
                    "居家医学观察0人、健康监测3人）。")
    assert s[1] == "今天通过“四种渠道”排查涉疫地区来返丰人员3人，均为低风险区人员。"
    assert s[2] == ("累计接收群众自报数据1条，已核实1条，大数据累计推送1条，已核实1条，"
                    "低风险地区返丰3人，均落实三天两检，核酸无异常。")
    assert s[3] == "今日推送数据3条，已核实3条。"
    assert len(s) == 4


def test_mixed_day_with_cdc_inbound_open_cases_and_test_problems() -> None:
    b = Builder()
    b.person("p1", [("bigdata", YESTERDAY), ("selfreport", TODAY)], "high_risk_area", "high",
             "centralized_quarantine", "verified_measure_applied")
    b.person("p2", [("contacts", TODAY)], "close_contact", "none", "centralized_quarantine",
             "unreachable")
    b.person("p3", [("selfreport", TODAY)], "low_risk_area", "low", "health_monitoring",
             "system_fault")
    b.person("p4", [("assist", TODAY)], "inbound", "none", "centralized_quarantine")
    b.person("p5", [("screening", TODAY)], "medium_risk_area", "medium", "home_quarantine",
             "verified_measure_applied")
    b.person("p6", [("bigdata", YESTERDAY)], "low_risk_area", "low", "health_monitoring",
             "verified_measure_applied")
    b.test("p6", "p6-1", YESTERDAY.date(), "positive")
    b.test("p6", "p6-3", DAY, None, overdue=True)
    s = b.sentences()
    assert s[0] == ("七月以来，共排查涉疫风险人员6人（其中自主报备和基层排查2人、大数据推送2人、"
                    "协查推送0人、疾控推送密接次密接1人、境外返丰1人），已落实管控措施3人，"
                    "正在落实3人（其中集中隔离1人、居家医学观察1人、健康监测1人）。")
    assert s[1] == ("今天通过“四种渠道”排查涉疫地区来返丰人员4人，其中中风险区人员1人、"
                    "低风险区人员1人、其他地区人员2人。")
    assert s[2] == ("累计接收群众自报数据2条，已核实1条，大数据累计推送2条，已核实2条，"
                    "低风险地区返丰2人，落实三天两检，其中核酸检测阳性1人次、未按时检测1人次。")
    assert s[3] == ("今日推送数据5条，已核实2条，其中剩余1条因系统出现故障无法审核，"
                    "剩余1条数据无人接听，正在核实，剩余1条正在核查。")


def test_a_mid_month_campaign_start_is_named_by_month_and_day() -> None:
    b = Builder()
    b.person("a", [("bigdata", TODAY)], "none", "none", "none", "verified_no_risk")
    report = build_report(take(b.view), DAY, date(2022, 7, 5), COUNTY)
    assert report["briefing"][0].startswith("7月5日以来，共排查涉疫风险人员1人")


def _figures(**today: int) -> BriefingFigures:
    counts = {"pushed": 0, "verified": 0, "system_fault": 0, "unreachable": 0, "pending": 0}
    counts.update(today)
    return BriefingFigures(since=START, short_name="丰", persons=0, by_group={}, measures={},
                           persons_open=0, persons_today=0, levels_today={},
                           selfreport=(0, 0), bigdata=(0, 0), low_risk_persons=0,
                           low_risk_positive=0, low_risk_missed=0, today=counts)


def test_zero_clauses_are_left_out_of_the_records_sentence() -> None:
    assert sentence_records(_figures()) == "今日推送数据0条。"
    assert sentence_records(_figures(pushed=4, verified=3, unreachable=1)) == (
        "今日推送数据4条，已核实3条，其中剩余1条数据无人接听，正在核实。")
    assert sentence_records(_figures(pushed=2, pending=2)) == (
        "今日推送数据2条，其中剩余2条正在核查。")
    assert sentence_records(_figures(pushed=3, verified=1, system_fault=2)) == (
        "今日推送数据3条，已核实1条，其中剩余2条因系统出现故障无法审核。")


def test_an_empty_day_still_has_four_sentences() -> None:
    s = briefing(_figures())
    assert s == [
        "七月以来，共排查涉疫风险人员0人（其中自主报备和基层排查0人、大数据推送0人、协查推送0人、"
        "境外返丰0人），均落实相关管控措施（其中集中隔离0人、居家医学观察0人、健康监测0人）。",
        "今天通过“四种渠道”排查涉疫地区来返丰人员0人。",
        "累计接收群众自报数据0条，已核实0条，大数据累计推送0条，已核实0条。",
        "今日推送数据0条。",
    ]


def test_the_short_name_comes_from_configuration() -> None:
    b = Builder()
    b.person("a", [("assist", TODAY)], "inbound", "none", "centralized_quarantine")
    county = County("130000", "冀", "测试县", {})
    s = build_report(take(b.view), DAY, START, county)["briefing"]
    assert "境外返冀1人" in s[0] and "来返冀人员1人" in s[1]
