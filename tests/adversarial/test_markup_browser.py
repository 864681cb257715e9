"""Issue item 4: markup in scenario names, action names and descriptions is shown as text in
the dashboard and the report, in a real headless Chromium (Debian's, as in
tests/analysis/test_dashboard_browser.py)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from stisim.io import write_dataset
from tests.analysis import analysis_data

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAYLOAD = "<img src=x onerror=\"window.__xss=(window.__xss||0)+1;document.title='XSS'\">"
SCENARIO = f"pandemic{PAYLOAD}"
ACTION = f"grants<script>window.__xss=1</script>{PAYLOAD}" + r" $\frac{a}$"


@pytest.fixture(scope="module")
def marked_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("markup")
    comparison = analysis_data.comparison()
    comparison.attrs.update(scenario=SCENARIO, country=f"Ghana{PAYLOAD}",
                            description=f"narrative **bold** {PAYLOAD}")
    allocation = analysis_data.allocation()
    names = [ACTION] + [str(n) for n in allocation["action_name"].values[1:]]
    allocation = allocation.assign_coords(action_name=("action", names))
    allocation.attrs.update(status=f"optimal{PAYLOAD}", description=PAYLOAD)
    write_dataset(comparison, d / "comparison.nc")
    write_dataset(allocation, d / "allocation.nc")
    return d


def _browser(p):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian chromium is not installed (apt-get install -y chromium)")
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _no_script_ran(page) -> None:
    assert page.evaluate("window.__xss === undefined"), "markup from a result file ran"
    assert page.title() != "XSS"
    assert page.locator("img[src='x']").count() == 0


def test_dashboard_shows_markup_as_text(marked_dir):
    pytest.importorskip("panel")
    sync_api = pytest.importorskip("playwright.sync_api")
    from stisim.analysis.dashboard import serve

    srv = serve(marked_dir, port=0, threaded=True)
    try:
        with sync_api.sync_playwright() as p:
            browser = _browser(p)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 950})
                page.goto(f"http://127.0.0.1:{srv.port}/")
                page.locator(".stisim-paths img").wait_for(timeout=60_000)
                # Panel renders into shadow roots; get_by_text pierces them and matches text
                # nodes only, so finding the markup proves it is text, not elements.
                page.get_by_text("pandemic<img src=x").first.wait_for(timeout=30_000)
                page.get_by_text("Ghana<img src=x").first.wait_for(timeout=10_000)
                page.get_by_text("Allocation", exact=True).click()
                page.locator(".stisim-allocation img").wait_for(timeout=30_000)
                time.sleep(1.0)
                _no_script_ran(page)
                page.close()
                time.sleep(0.5)
            finally:
                browser.close()
    finally:
        srv.stop()


def test_report_shows_markup_as_text(marked_dir):
    sync_api = pytest.importorskip("playwright.sync_api")
    from stisim.analysis.report import build_report

    html = build_report(marked_dir)
    assert "<script>window.__xss" not in html and PAYLOAD not in html
    with sync_api.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            _no_script_ran(page)
            body = page.locator("body").inner_text()
            assert "pandemic<img src=x" in body
        finally:
            browser.close()
