"""The local stack gives reporting a campaign start of this month, chosen once and kept."""

from __future__ import annotations

from datetime import date

from paicha.stack.config import StackSettings
from paicha.stack.local import SERVICES, campaign_start


def test_campaign_start_is_the_first_of_the_month_and_is_kept(tmp_path):
    settings = StackSettings(cache_dir=tmp_path, name="unit")
    first = campaign_start(settings)
    assert first.day == 1 and first <= date.today()
    (settings.run_dir / "campaign-start").write_text("2026-11-01\n")
    assert campaign_start(settings) == date(2026, 11, 1)  # kept, not recomputed


def test_reporting_gets_the_campaign_start(tmp_path):
    settings = StackSettings(cache_dir=tmp_path, name="unit")
    [reporting] = [spec for spec in SERVICES if spec.name == "reporting"]
    env = reporting.env(settings, 8004)
    assert env["REPORTING_CAMPAIGN_START"] == campaign_start(settings).isoformat()
