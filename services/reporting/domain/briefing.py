"""The daily briefing in the seed's own four sentences (SPEC §2 "Daily briefing"), with the
county's one-character short name (丰 → 返丰, 入丰). Pure string building from figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.reporting.domain.days import since_label
from services.reporting.domain.labels import (
    INBOUND,
    LEVEL_NAMES,
    LEVELS,
    PENDING,
    SYSTEM_FAULT,
    UNREACHABLE,
    VERIFIED,
)


@dataclass(frozen=True)
class BriefingFigures:
    since: date
    short_name: str
    persons: int  # cases since the campaign start
    by_group: Mapping[str, int]  # first feed of each case, or "inbound"
    measures: Mapping[str, int]  # cases whose measure was applied, by measure
    persons_open: int  # cases not yet verified
    persons_today: int
    levels_today: Mapping[str, int]
    selfreport: tuple[int, int]  # records since the start, of them verified
    bigdata: tuple[int, int]
    low_risk_persons: int
    low_risk_positive: int
    low_risk_missed: int
    today: Mapping[str, int]  # records pushed today: pushed, verified, system_fault, ...


def sentence_persons(f: BriefingFigures) -> str:
    g = f.by_group
    groups = [f"自主报备和基层排查{g.get('selfreport', 0) + g.get('screening', 0)}人",
              f"大数据推送{g.get('bigdata', 0)}人", f"协查推送{g.get('assist', 0)}人"]
    if g.get("contacts", 0):
        groups.append(f"疾控推送密接次密接{g['contacts']}人")
    groups.append(f"境外返{f.short_name}{g.get(INBOUND, 0)}人")
    applied = sum(f.measures.get(m, 0) for m in
                  ("centralized_quarantine", "home_quarantine", "health_monitoring"))
    done = ("均落实相关管控措施" if f.persons_open == 0
            else f"已落实管控措施{applied}人，正在落实{f.persons_open}人")
    measures = (f"集中隔离{f.measures.get('centralized_quarantine', 0)}人、"
                f"居家医学观察{f.measures.get('home_quarantine', 0)}人、"
                f"健康监测{f.measures.get('health_monitoring', 0)}人")
    return (f"{since_label(f.since)}以来，共排查涉疫风险人员{f.persons}人"
            f"（其中{'、'.join(groups)}），{done}（其中{measures}）。")


def sentence_today(f: BriefingFigures) -> str:
    text = f"今天通过“四种渠道”排查涉疫地区来返{f.short_name}人员{f.persons_today}人"
    if f.persons_today:
        levels = {lv: f.levels_today.get(lv, 0) for lv in LEVELS}
        if levels["low"] == f.persons_today:
            text += "，均为低风险区人员"
        else:
            text += "，其中" + "、".join(f"{LEVEL_NAMES[lv]}{n}人" for lv, n in levels.items()
                                         if n)
    return text + "。"


def sentence_cumulative(f: BriefingFigures) -> str:
    parts = [f"累计接收群众自报数据{f.selfreport[0]}条，已核实{f.selfreport[1]}条",
             f"大数据累计推送{f.bigdata[0]}条，已核实{f.bigdata[1]}条"]
    if f.low_risk_persons:
        low = f"低风险地区返{f.short_name}{f.low_risk_persons}人"
        if not f.low_risk_positive and not f.low_risk_missed:
            low += "，均落实三天两检，核酸无异常"
        else:
            issues = []
            if f.low_risk_positive:
                issues.append(f"核酸检测阳性{f.low_risk_positive}人次")
            if f.low_risk_missed:
                issues.append(f"未按时检测{f.low_risk_missed}人次")
            low += "，落实三天两检，其中" + "、".join(issues)
        parts.append(low)
    return "，".join(parts) + "。"


def sentence_records(f: BriefingFigures) -> str:
    t = f.today
    text = f"今日推送数据{t.get('pushed', 0)}条"
    if t.get(VERIFIED, 0):
        text += f"，已核实{t[VERIFIED]}条"
    rest = []
    if t.get(SYSTEM_FAULT, 0):
        rest.append(f"剩余{t[SYSTEM_FAULT]}条因系统出现故障无法审核")
    if t.get(UNREACHABLE, 0):
        rest.append(f"剩余{t[UNREACHABLE]}条数据无人接听，正在核实")
    if t.get(PENDING, 0):
        rest.append(f"剩余{t[PENDING]}条正在核查")
    if rest:
        text += "，其中" + "，".join(rest)
    return text + "。"


def briefing(f: BriefingFigures) -> list[str]:
    """The four sentences, in order."""
    return [sentence_persons(f), sentence_today(f), sentence_cumulative(f), sentence_records(f)]
