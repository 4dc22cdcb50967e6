"""The web pages in a real browser: Debian's Chromium, headless, driven by Playwright (no
browser download), on the project's samples ingested as PDFs. What a regulatory user does:
search a product by its Japanese and its English name, read its page, open an evidence's page
image, open a concept page and the documents page, compare two RMP versions; with the keyboard,
and at a phone's width."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from extract.serve import ServeConfig, Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(sample_pdf_store: Path) -> Iterator[Server]:
    srv = Server(ServeConfig(sample_pdf_store, timeout=60, workers=2), "127.0.0.1", 0).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the index worker has read the store
        with urllib.request.urlopen(srv.url + "/api/search?q=x", timeout=30) as r:
            if json.loads(r.read())["complete"]:
                break
        time.sleep(0.2)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("the browser tests need Debian's chromium (apt-get install chromium; scripts/setup.sh does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, locale="en-US",
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()


@pytest.fixture()
def tab(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    yield page
    page.close()


def _choose_from_search(tab: Any, query: str) -> str:
    """Type into the search box; the first suggestion, taken with the keyboard."""
    tab.fill("#q", "")
    tab.type("#q", query, delay=20)
    tab.wait_for_selector("#suggestions li", state="visible")
    first = tab.inner_text("#suggestions li:first-child")
    tab.press("#q", "ArrowDown")
    assert tab.get_attribute("#q", "aria-activedescendant") == "suggestion-0"
    with tab.expect_navigation():
        tab.press("#q", "Enter")
    return first


def test_search_by_japanese_and_english_name_opens_the_product(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/products")
    assert "Yakujin" in _choose_from_search(tab, "ヤクジン")
    assert tab.url.endswith("/product/yakujin")
    tab.goto(server.url + "/documents")
    assert "Yakujin" in _choose_from_search(tab, "Yakujin")
    assert tab.url.endswith("/product/yakujin")
    assert tab.inner_text("h1") == "Product Yakujin"


def test_product_page_shows_indications_regimens_and_concerns_with_evidence(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/product/yakujin")
    indications = tab.locator("#indications + .table-wrap tbody tr")
    assert indications.count() >= 2
    assert "Relapsed or refractory peripheral T-cell lymphoma" in tab.inner_text("section[aria-labelledby=indications]")
    evidence = tab.locator("section[aria-labelledby=indications] blockquote.evidence").first.inner_text()
    assert evidence.strip() == "Relapsed or refractory peripheral T-cell lymphoma"
    regimens = tab.inner_text("section[aria-labelledby=regimens]")
    assert "20 mg" in regimens and "once daily" in regimens and "For adults, the usual dosage is 20 mg" in regimens
    concerns = tab.locator("section[aria-labelledby=safety_concerns]")
    assert "Important identified risks" in concerns.inner_text() and "骨髄抑制" in concerns.inner_text()
    quote = concerns.locator("blockquote.evidence").first
    assert quote.get_attribute("lang") == "ja" and quote.inner_text().strip()


def test_an_evidence_opens_its_page_image_and_closes_with_the_keyboard(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/product/x-930f9c2c1995")
    link = tab.locator("section[aria-labelledby=safety_concerns] a.page-link").first
    assert link.get_attribute("data-box")
    link.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_selector("dialog#viewer[open]")
    tab.wait_for_function("document.getElementById('viewer-img').naturalWidth > 0")
    assert tab.evaluate("document.getElementById('viewer-img').naturalWidth") == 893  # A4 at 1.5 px/pt
    assert "The box marks the evidence." in tab.inner_text("#viewer-note")
    assert tab.evaluate("document.querySelector('.viewer-body').scrollTop") >= 0
    tab.keyboard.press("Escape")
    tab.wait_for_selector("dialog#viewer", state="hidden")
    assert tab.evaluate("document.activeElement.classList.contains('page-link')")  # focus back on the link


def test_concept_and_documents_pages(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/concept/cytokine-release-syndrome")
    assert tab.inner_text("h1") == "Concept cytokine release syndrome"
    carried = tab.inner_text("section[aria-labelledby=carried_by]")
    assert "ソラリスタ" in carried and "important identified risk" in carried
    assert "トシリズマブ" in tab.inner_text("section[aria-labelledby=rules_for]")
    tab.goto(server.url + "/documents")
    rows = tab.locator("table.documents tbody tr")
    assert rows.count() == 8
    assert "rmp_solarista" not in rows.first.inner_text()  # titles, not file names
    tab.locator("a.doc", has_text="ソラリスタに係る").first.click()
    tab.wait_for_selector("text=Facts by section")
    assert tab.locator("section[aria-labelledby=facts] details").count() >= 3


def test_rmp_diff_between_the_two_sample_versions(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/diff")
    old = tab.locator("#diff-old option", has_text="rmp_solarista_v1.pdf").get_attribute("value")
    new = tab.locator("#diff-new option", has_text="rmp_solarista_v2.pdf").get_attribute("value")
    tab.select_option("#diff-old", old)
    tab.select_option("#diff-new", new)
    with tab.expect_navigation():
        tab.click("#diff-form button[type=submit]")
    report = tab.inner_text("#diff-report")
    assert "RMP diff: ソラリスタ" in report
    assert "Old version: issued 2025-04-10 (previous 2024-10-01)" in report
    assert "moved potential -> identified: 間質性肺疾患" in report
    assert "PV 一般使用成績調査(ABC1001): target_sample_size 300 -> 400" in report


def test_keyboard_and_language(server: Server, tab: Any) -> None:
    tab.goto(server.url + "/product/yakujin")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "yakuji-kg"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.id") == "q"
    with tab.expect_navigation():
        tab.click("a.lang-switch")
    assert tab.evaluate("document.documentElement.lang") == "ja"
    assert tab.inner_text("h1") == "製品 ヤクジン"
    tab.goto(server.url + "/documents")  # the choice is remembered
    assert tab.evaluate("document.documentElement.lang") == "ja"
    with tab.expect_navigation():
        tab.click("a.lang-switch")
    assert tab.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("width", [1280, 390])
def test_readable_at_desktop_and_phone_width(server: Server, browser: Any, width: int) -> None:
    tab = browser.new_page()
    tab.set_viewport_size({"width": width, "height": 844})
    try:
        for path in ("/product/x-930f9c2c1995", "/documents", "/concept/cytokine-release-syndrome"):
            tab.goto(server.url + path)
            # the page itself never scrolls sideways: wide tables scroll inside their box
            assert tab.evaluate("document.documentElement.scrollWidth") <= width, path
            assert tab.evaluate("getComputedStyle(document.body).fontSize") in ("14px", "15px")
    finally:
        tab.close()
