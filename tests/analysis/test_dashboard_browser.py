"""The dashboard in a real headless Chromium: it loads offline, a selection redraws the
plot, and a screenshot is kept in tests/artifacts/."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class _ClosedSocketFilter(logging.Filter):
    """Drop tornado's 'websocket closed' errors logged when the browser goes away while the
    server still pushes an update: expected at teardown, not a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return "WebSocketClosedError" not in f"{record.getMessage()} {type(exc).__name__}"


@pytest.fixture
def server(comparison_dir):
    pytest.importorskip("panel")
    from stisim.analysis.dashboard import serve

    quiet = _ClosedSocketFilter()
    logging.getLogger("asyncio").addFilter(quiet)
    srv = serve(comparison_dir, port=0, threaded=True)
    yield srv
    srv.stop()
    logging.getLogger("asyncio").removeFilter(quiet)


def _wait_change(locator, old: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = locator.get_attribute("src")
        if new and new != old:
            return new
        time.sleep(0.1)
    raise AssertionError("the plot did not change")


def test_dashboard_in_chromium(server):
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{server.port}/"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            plot = page.locator(".stisim-paths img")
            plot.wait_for(timeout=40_000)
            first = plot.get_attribute("src")
            assert first.startswith("data:image/png;base64,")
            select = page.locator(".stisim-indicator select")
            labels = select.locator("option").all_text_contents()
            assert any(t.startswith("9.5.1") for t in labels)
            select.select_option(label=next(t for t in labels if t.startswith("9.c.1")))
            second = _wait_change(plot, first)
            assert second != first
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
            page.get_by_text("Allocation", exact=True).click()
            page.locator(".stisim-allocation img").wait_for(timeout=20_000)
            page.locator(".stisim-front img").wait_for(timeout=20_000)  # tab fully drawn
            page.screenshot(path=str(ARTIFACTS / "dashboard-allocation.png"))
            page.close()
            time.sleep(1.0)  # let the server see the websocket close before it stops
        finally:
            browser.close()
    offline = [u for u in requests if not u.startswith((url, "blob:", "data:"))]
    assert offline == [], f"requests leaving 127.0.0.1: {offline}"
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
