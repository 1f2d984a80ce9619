"""Column headers as spreadsheets write them map to fields; value words map to contract enums."""

from __future__ import annotations

import pytest

from contracts.events import (
    BigdataSignal,
    ContactKind,
    Exposure,
    IdType,
    RejectReason,
    SelfreportChannel,
)
from services.intake.domain import choices, problems
from services.intake.domain.aliases import ALIAS_TABLE, COLUMN_ALIASES, field_for, normalize_header
from services.intake.domain.fields import FEED_FIELDS, specs_for


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"),
    ("身份证号", "id_number"),
    ("公民身份号码", "id_number"),
    ("身份证号（必填）", "id_number"),
    ("*身份证号码", "id_number"),
    ("【必填】姓名", "name"),
    ("证件类型", "id_type"),
    ("手机号", "mobile"),
    ("联系电话", "mobile"),
    ("来源地", "origin_area_name"),
    ("来源地区划代码", "origin_area_code"),
    ("来源地 区划代码", "origin_area_code"),
    ("离开时间", "departed_at"),
    ("到达时间", "arrived_at"),
    ("抵达时间", "arrived_at"),
    ("到达时间\n（格式：2022-08-01 10:00）", "arrived_at"),
    ("现住址", "current_address"),
    ("县/区", "current_county_code"),
    ("县／区", "current_county_code"),
    ("乡镇/街道", "current_township_code"),
    ("村(社区)", "current_village_code"),
    ("村（社区）", "current_village_code"),
    ("村 （ 社区 ）（必填）", "current_village_code"),
    ("暴露类型", "exposure"),
    ("人员类别", "exposure"),
    ("协查编号", "request_id"),
    ("回复时限", "reply_by"),
    ("信号类型", "signal"),
    ("Source_Record_ID", "source_record_id"),
    ("arrivedAt", "arrived_at"),
    ("手机号码：", "mobile"),
])
def test_headers_in_their_common_variants_map_to_one_field(header, field):
    assert field_for(header) == field


@pytest.mark.parametrize("header", ["序号", "备注", "", "  ", "操作", "(必填)"])
def test_headers_that_name_no_field_are_not_guessed(header):
    assert field_for(header) is None


def test_every_alias_maps_to_a_real_field_and_no_alias_is_ambiguous():
    names = {s.name for feed in FEED_FIELDS for s in specs_for(feed)}
    assert set(COLUMN_ALIASES) <= names
    assert set(ALIAS_TABLE.values()) == names
    for field, words in COLUMN_ALIASES.items():
        for word in words:
            assert ALIAS_TABLE[normalize_header(word)] == field


def test_every_field_label_is_itself_an_alias():
    for feed in FEED_FIELDS:
        for spec in specs_for(feed):
            assert field_for(spec.label) == spec.name, spec


@pytest.mark.parametrize(("table", "enum"), [
    ("id_type", IdType), ("exposure", Exposure), ("signal", BigdataSignal),
    ("channel", SelfreportChannel), ("contact_kind", ContactKind),
])
def test_choice_tables_cover_exactly_the_contract_enums(table, enum):
    assert set(choices.canonical_values(table)) == {member.value for member in enum}


@pytest.mark.parametrize(("table", "word", "value"), [
    ("exposure", "密切接触者", "close_contact"), ("exposure", "次密接", "secondary_close_contact"),
    ("exposure", "一般人员", "none"), ("signal", "电子围栏", "electronic_fence"),
    ("signal", "快排", "fast_screening"), ("id_type", "居民身份证", "resident_id"),
    ("id_type", "护照", "passport"), ("channel", "小程序", "mini_program"),
    ("contact_kind", "同乘", "transport"), ("signal", "Police-Track", "police_track"),
])
def test_value_words_map_to_enum_values(table, word, value):
    assert choices.choose(table, word) == value


def test_reason_codes_are_the_contract_reject_reasons():
    assert set(problems.REASONS) == {r.value for r in RejectReason}
