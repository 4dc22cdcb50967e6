"""The web page: self-contained assets, and a run in headless Chromium (Debian's ``chromium``,
driven by Playwright; never ``playwright install``). The screenshot goes to tests/artifacts/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from extract.serve import WEB_DIR, ServeConfig, Server

ID = "https://w3id.org/yakuji/id/"
YK = "https://w3id.org/yakuji/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

FICTION = f"""
<{ID}product/tesmira> a <{YK}MedicinalProduct> ; <{LABEL}> "Tesmira"@en, "テスミラ"@ja .
<{ID}product/velunor> a <{YK}MedicinalProduct> ; <{LABEL}> "Velunor"@en, "ベルノール"@ja .
<{ID}concept/fictional-rash> a <{YK}MedicalConcept> ; <{SKOS}prefLabel> "fictional rash"@en, "架空発疹"@ja .
<{ID}doc/fiction> a <{YK}SourceDocument>, <{YK}RiskManagementPlan> ; <{YK}sha256> "00" ;
    <http://purl.org/dc/terms/title> "架空RMP" .
<{ID}fact/c1> a <{YK}SafetyConcern> ; <{YK}product> <{ID}product/tesmira> ;
    <{YK}concernCategory> <{YK}ImportantIdentifiedRisk> ; <{YK}concept> <{ID}concept/fictional-rash> ;
    <{LABEL}> "架空発疹"@ja ; <{PROV}> <{ID}doc/fiction> ; <{YK}page> 3 ; <{YK}evidenceText> "架空の根拠" .
<{ID}fact/c2> a <{YK}SafetyConcern> ; <{YK}product> <{ID}product/velunor> ;
    <{YK}concernCategory> <{YK}ImportantPotentialRisk> ; <{YK}concept> <{ID}concept/fictional-rash> ;
    <{LABEL}> "fictional rash"@en ; <{PROV}> <{ID}doc/fiction> .
"""


@pytest.mark.parametrize("name", ["index.html", "app.js", "app.css"])
def test_assets_are_bundled_and_local(name: str) -> None:
    text = (WEB_DIR / name).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']https?://""", text)
    assert "@import url(http" not in text and "cdn" not in text.lower()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import pyoxigraph

    from extract.store import Store

    path = tmp_path_factory.mktemp("web") / "store"
    data = pyoxigraph.serialize(pyoxigraph.parse(FICTION, format=pyoxigraph.RdfFormat.TURTLE),
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    with Store(path) as st:
        st.add_graph(f"{ID}graph/fiction", data)
    srv = Server(ServeConfig(path, timeout=10, workers=2), "127.0.0.1", 0).start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[object]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("headless browser test needs Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(locale="ja-JP", accept_downloads=True)
        yield context.new_page()
        browser.close()


def test_named_query_with_japanese_parameter(server: Server, page: object) -> None:
    p = page  # playwright Page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    p.wait_for_selector("#query-select option[value='risk-by-concept']", state="attached")  # type: ignore[attr-defined]
    p.select_option("#query-select", "risk-by-concept")  # type: ignore[attr-defined]
    p.fill("#param-form input[name='concept']", "架空発疹")  # type: ignore[attr-defined]
    p.click("#run-named")  # type: ignore[attr-defined]
    p.wait_for_selector("#results table tbody tr")  # type: ignore[attr-defined]
    header = p.locator("#results th").all_inner_texts()  # type: ignore[attr-defined]
    assert header[:4] == ["product", "product_en", "product_ja", "category"]
    product_cells = p.locator("#results tbody tr td:first-child a").all_inner_texts()  # type: ignore[attr-defined]
    assert product_cells == ["テスミラ", "ベルノール"]  # IRIs shown as Japanese labels
    assert "2 行" in p.inner_text("#status")  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "web-named-query-ja.png"), full_page=True)  # type: ignore[attr-defined]
    p.select_option("#lang", "en")  # type: ignore[attr-defined]
    assert p.locator("#results tbody tr td:first-child a").all_inner_texts() == ["Tesmira", "Velunor"]  # type: ignore[attr-defined]


def test_free_sparql_and_csv_download(server: Server, page: object, tmp_path: Path) -> None:
    p = page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    p.click("#tab-free")  # type: ignore[attr-defined]
    p.wait_for_function("document.getElementById('sparql').value.includes('PREFIX yk:')")  # type: ignore[attr-defined]
    assert p.locator("#highlight .hl-kw").count() > 3  # type: ignore[attr-defined]
    p.click("#run-free")  # type: ignore[attr-defined]
    p.wait_for_selector("#results table tbody tr")  # type: ignore[attr-defined]
    with p.expect_download() as info:  # type: ignore[attr-defined]
        p.click("#download")  # type: ignore[attr-defined]
    target = tmp_path / "out.csv"
    info.value.save_as(str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "product,label"
    assert f"{ID}product/tesmira,テスミラ" in lines and f"{ID}product/velunor,Velunor" in lines


def test_evidence_panel(server: Server, page: object) -> None:
    p = page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    p.click("#tab-free")  # type: ignore[attr-defined]
    p.wait_for_function("document.getElementById('sparql').value.includes('PREFIX yk:')")  # type: ignore[attr-defined]
    p.fill("#sparql", "SELECT ?c WHERE { ?c a yk:SafetyConcern ; yk:page ?p }")  # type: ignore[attr-defined]
    p.click("#run-free")  # type: ignore[attr-defined]
    p.wait_for_selector("#results table tbody tr td a")  # type: ignore[attr-defined]
    p.click("#results tbody td a")  # type: ignore[attr-defined]
    p.wait_for_selector("#provenance dl")  # type: ignore[attr-defined]
    text = p.inner_text("#provenance")  # type: ignore[attr-defined]
    assert "架空RMP" in text and "架空の根拠" in text and "3" in text
