"""Words of the reports: status, feed, level and measure values and their Chinese names. Values
are compared as strings, so a category added to the vocabulary later (e.g. ``inbound``) needs no
change here beyond a name."""

from __future__ import annotations

VERIFIED, SYSTEM_FAULT, UNREACHABLE, PENDING = "verified", "system_fault", "unreachable", "pending"
STATUSES = (VERIFIED, SYSTEM_FAULT, UNREACHABLE, PENDING)
STATUS_NAMES = {VERIFIED: "已核实", SYSTEM_FAULT: "系统故障无法审核", UNREACHABLE: "无人接听",
                PENDING: "正在核查"}

FEEDS = ("bigdata", "assist", "selfreport", "screening", "contacts")
FEED_NAMES = {"bigdata": "大数据推送", "assist": "协查推送", "selfreport": "群众自报",
              "screening": "基层排查", "contacts": "疾控推送密接次密接"}

INBOUND = "inbound"
LOW_RISK_AREA = "low_risk_area"
LEVELS = ("high", "medium", "low", "none")
LEVEL_NAMES = {"high": "高风险区人员", "medium": "中风险区人员", "low": "低风险区人员",
               "none": "其他地区人员"}

MEASURES = ("centralized_quarantine", "home_quarantine", "health_monitoring")
MEASURE_NAMES = {"centralized_quarantine": "集中隔离", "home_quarantine": "居家医学观察",
                 "health_monitoring": "健康监测"}

# Outcomes that close a verification task ("verified" in the counting rules).
CLOSING_OUTCOMES = frozenset({"verified_measure_applied", "verified_no_risk", "not_in_area"})
OPEN_OUTCOMES = frozenset({SYSTEM_FAULT, UNREACHABLE})
MEASURE_APPLIED = "verified_measure_applied"

UNKNOWN_TOWNSHIP = "unknown"
