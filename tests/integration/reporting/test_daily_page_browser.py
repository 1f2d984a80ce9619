"""The command centre's day view in headless Chromium (Debian's chromium, driven by
playwright): the briefing, the per-township table and the SVG charts render from a real
reporting service fed through Kafka. Set PAICHA_SCREENSHOT=docs/images/reporting-daily.png to
refresh the screenshot in the docs."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn

from contracts.types import SHANGHAI
from paicha.stack.errors import free_port
from services.reporting.app import create_app
from services.reporting.bootstrap import build
from tests.integration.reporting.helpers import drop_database, make_settings, produce
from tests.unit.reporting.scenario import CAMPAIGN_START, DAYS, expected_report, generate

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed")
async def test_the_day_view_shows_briefing_township_table_and_charts(
        kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    scenario = generate(seed=21, persons=150)
    day = DAYS[-1]
    namespace = f"t-reporting-{uuid.uuid4().hex[:10]}"
    settings = make_settings(kafka_bootstrap, mongo_url, namespace,
                             campaign_start=CAMPAIGN_START, close_out=False)
    components = build(settings, clock=lambda: datetime(2022, 7, 12, 20, tzinfo=SHANGHAI))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(components), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(300):
            if server.started:
                break
            await asyncio.sleep(0.1)
        await components.prepare_topics()
        await produce(kafka_bootstrap, namespace, scenario.events, seed=2)
        expected = expected_report(scenario.truth, day)
        for _ in range(180):
            if components.reporting.report(day)["today"] == expected["today"] and \
                    components.reporting.report(day)["tasks"] == expected["tasks"]:
                break
            await asyncio.sleep(0.5)
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            response = await page.goto(f"http://127.0.0.1:{port}/reports/daily?date={day}")
            assert response is not None and response.status == 200
            paragraphs = await page.locator("#briefing p").all_inner_texts()
            report = components.reporting.report(day)
            assert paragraphs == report["briefing"]
            assert paragraphs[3].startswith(f"今日推送数据{expected['today']['pushed']}条")
            rows = await page.locator("#townships tbody tr").all_inner_texts()
            assert [r.split("\t")[0] for r in rows] == [t["name"] for t in report["townships"]]
            assert "大阁镇" in rows[0]
            bars = page.locator("#flow-chart rect.bar")
            assert await bars.count() == 24
            assert await page.locator("#status-chart rect.seg.verified").count() >= 1
            tips = await page.locator("#flow-chart rect.bar title").all_text_contents()
            assert sum(int(t.split("：")[1].rstrip("条")) for t in tips) == \
                expected["today"]["pushed"]
            shot = tmp_path / "reporting-daily.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            target = os.environ.get("PAICHA_SCREENSHOT")
            if target:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, target)
            await browser.close()
        # The same day through the CLI, over HTTP (in a thread: the server runs on this loop).
        from typer.testing import CliRunner

        from paicha.cli import app as cli_app

        result = await asyncio.to_thread(
            CliRunner().invoke, cli_app,
            ["report", "daily", "--date", day.isoformat(), "--url", f"http://127.0.0.1:{port}"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == components.reporting.report(day)["briefing"]
    finally:
        server.should_exit = True
        await serving
        await drop_database(mongo_url, settings.mongo.database)
