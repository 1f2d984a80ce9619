"""The packaged gazetteer of the demo county: codes nest under their county and township."""

from __future__ import annotations

from contracts.places import load_gazetteer
from contracts.values import validate_area_code


def test_demo_county_gazetteer_codes_nest_and_are_valid() -> None:
    g = load_gazetteer("130826")
    assert (g.county_code, g.short_name) == ("130826", "丰")
    assert any(t.name == "大阁镇" for t in g.townships)
    for township in g.townships:
        assert validate_area_code(township.code) == township.code
        assert township.code.startswith(g.county_code) and len(township.code) == 9
        for village in township.villages:
            assert village.code.startswith(township.code) and len(village.code) == 12
    codes = [t.code for t in g.townships] + [v.code for t in g.townships for v in t.villages]
    assert len(codes) == len(set(codes))
