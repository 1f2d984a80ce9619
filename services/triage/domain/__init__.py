"""triage domain: policy, risk-area history, classification, cases and re-triage (no I/O)."""

from contracts.vocabulary import Category, Exposure, Measure, RiskLevel

from .cases import (
    Case,
    CaseStatus,
    Decision,
    DecisionKind,
    SourceRef,
    apply_record,
    case_id_for,
)
from .classify import Classification, area_level, classify, stay_window
from .model import RecordFacts
from .policy import CategoryRule, Phase, Policy, default_policy, load_policy
from .policy_fields import PolicyError
from .retriage import DowngradeNoticed, RetriageResult, retriage
from .risk_areas import Designation, RiskAreaRegistry, Segment

__all__ = [
    "Case",
    "CaseStatus",
    "Category",
    "CategoryRule",
    "Classification",
    "Decision",
    "DecisionKind",
    "Designation",
    "DowngradeNoticed",
    "Exposure",
    "Measure",
    "Phase",
    "Policy",
    "PolicyError",
    "RecordFacts",
    "RetriageResult",
    "RiskAreaRegistry",
    "RiskLevel",
    "Segment",
    "SourceRef",
    "apply_record",
    "area_level",
    "case_id_for",
    "classify",
    "default_policy",
    "load_policy",
    "retriage",
    "stay_window",
]
