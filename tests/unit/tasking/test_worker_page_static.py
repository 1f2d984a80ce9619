"""The worker page's own code, without a tasking service: the Chinese time-left and label
formatting run in headless Chromium (Debian's `chromium`), and the files never build HTML from
data nor reach for anything but their own origin."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[3] / "services" / "tasking" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def test_page_files_build_no_html_from_data_and_fetch_only_their_origin() -> None:
    html = (WEB / "index.html").read_text()
    assert '<html lang="zh-CN">' in html
    assert "connect-src 'self'" in html  # the CSP forbids any other origin
    for path in [WEB / "index.html", *WEB.glob("*.js"), *WEB.glob("*.css")]:
        text = path.read_text()
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text), path
        assert not re.search(r"https?://", text), path  # no CDN, no absolute URL
    storage = re.findall(r"localStorage\.(\w+)\(", (WEB / "api.js").read_text())
    assert set(storage) == {"getItem", "setItem", "removeItem"}
    assert "localStorage" not in (WEB / "app.js").read_text()  # only the token is stored


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    handler = partial(_Quiet, directory=str(WEB.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/web/index.html"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


FORMATS = """async () => {
  const m = await import("./labels.js");
  const now = Date.parse("2026-12-01T04:00:00Z");
  const at = (minutes) => new Date(now + minutes * 60000 + 1000).toISOString();
  return {
    left: [135, 1, 0, 60 * 27 + 5].map((x) => m.timeLeft(at(x), now).text),
    late: [-35, -61, -60 * 49].map((x) => m.timeLeft(at(x), now)),
    clock: m.clock("2026-12-01T12:00:00+00:00"),
    today: ["2026-12-01T15:59:00Z", "2026-12-01T16:00:00Z"].map((t) => m.today(Date.parse(t))),
    labels: [m.label(m.CATEGORY, "inbound"), m.label(m.CATEGORY, "secondary_close_contact"),
             m.label(m.MEASURE, "home_quarantine"), m.label(m.STATUS, "in_progress"),
             m.label(m.CATEGORY, "something_new"), m.label(m.RESULT, null)],
  };
}"""


def test_time_left_and_labels_in_chinese(page_url: str) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (deploy/local/prerequisites.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN", timezone_id="Europe/London")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_url)
            # No token yet: the token screen, and not a single API call.
            assert page.get_by_label("令牌").is_visible()
            got = page.evaluate(FORMATS)
            assert not errors, errors
        finally:
            browser.close()
    assert got["left"] == ["剩余 2小时15分", "剩余 1分", "剩余 不足1分", "剩余 1天3小时"]
    assert [x["text"] for x in got["late"]] == ["已超时 34分", "已超时 1小时0分", "已超时 2天0小时"]
    assert all(x["overdue"] for x in got["late"])
    assert got["clock"] == "12-01 20:00"  # Beijing time whatever the phone's zone
    assert got["today"] == ["2026-12-01", "2026-12-02"]
    assert got["labels"] == ["境外返回", "次密接", "居家医学观察", "核查中", "something_new", "—"]
