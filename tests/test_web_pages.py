"""The web pages over HTTP, on the project's own samples ingested as PDFs (``sample_pdf_store``):
search, product, concept, study, documents and document pages, the RMP diff, page images with
evidence boxes, languages. Values are read by hand from ``corpus/samples``."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from extract.serve import ServeConfig, Server
from extract.web.index import Entity, StoreIndex

ID = "https://w3id.org/yakuji/id/"


@pytest.fixture(scope="module")
def server(sample_pdf_store: Path) -> Iterator[Server]:
    srv = Server(ServeConfig(sample_pdf_store, timeout=60, workers=2), "127.0.0.1", 0).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the index worker reads the store once it has started
        if json.loads(get(srv, "/api/search?q=x")[2])["complete"]:
            break
        time.sleep(0.2)
    yield srv
    srv.close()


def get(srv: Server, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(path)
    query = urllib.parse.urlencode(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    url = srv.url + urllib.parse.quote(parts.path) + (f"?{query}" if query else "")
    req = urllib.request.Request(url, headers={"Accept-Language": "en", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def page(srv: Server, path: str, **headers: str) -> str:
    status, _, body = get(srv, path, {k.replace("_", "-"): v for k, v in headers.items()})
    assert status == 200, body[:500]
    return body.decode("utf-8")


def text_of(html: str) -> str:
    """The page's text (tags dropped, entities unescaped, whitespace collapsed)."""
    import html as h

    return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def between(text: str, start: str, end: str | None = None) -> str:
    """The text from ``start`` to the next ``end`` after it (or to the end)."""
    i = text.index(start)
    return text[i:text.index(end, i)] if end else text[i:]


def search(srv: Server, q: str, lang: str = "en") -> list[dict[str, str]]:
    status, _, body = get(srv, "/api/search?" + urllib.parse.urlencode({"q": q, "lang": lang}))
    assert status == 200
    return json.loads(body)["results"]


# --------------------------------------------------------------------------- search


def _index(entities: list[tuple[str, str, list[tuple[str, str, bool]]]], *, in_documents: bool = True) -> StoreIndex:
    index = StoreIndex()
    for iri, kind, names in entities:
        e = index.entities[iri] = Entity(iri, kind, in_documents=in_documents)
        for text, lang, preferred in names:
            e.add(text, lang, preferred)
    return index


def test_ranking_exact_then_prefix_then_contains() -> None:
    index = _index([
        ("c/1", "concept", [("T-cell lymphoma", "en", True)]),
        ("c/2", "concept", [("peripheral T-cell lymphoma", "en", True), ("PTCL", "en", False)]),
        ("c/3", "concept", [("lymphoma", "en", True), ("リンパ腫", "ja", True)]),
        ("p/1", "product", [("Lymphomab", "en", True)]),
    ])
    hits = index.search("lymphoma", "en")
    assert [(h.iri, h.rank) for h in hits] == [("c/3", 0), ("p/1", 1), ("c/1", 2), ("c/2", 2)]
    assert [h.iri for h in index.search("ｐｔｃｌ", "en")] == ["c/2"]  # full-width, case folded: an alias
    assert index.search("リンパ腫", "en")[0].label.text == "lymphoma"  # shown in the page's language
    assert index.search("リンパ腫", "ja")[0].label.text == "リンパ腫"
    # named only by the lexicon (no document names it): never offered
    assert _index([("c/3", "concept", [("lymphoma", "en", True)])], in_documents=False).search("lymphoma", "en") == []


@pytest.mark.parametrize("query, href, label", [
    ("ヤクジン", "/product/yakujin", "Yakujin"),  # Japanese name, English page
    ("Yakujin", "/product/yakujin", "Yakujin"),
    ("yakujin", "/product/yakujin", "Yakujin"),
    ("ソラリスタ", "/product/x-930f9c2c1995", "ソラリスタ"),  # a product named in Japanese only
    ("CRS", "/concept/cytokine-release-syndrome", "cytokine release syndrome"),
    ("サイトカイン放出症候群", "/concept/cytokine-release-syndrome", "cytokine release syndrome"),
    ("ヤクジニブ", "/substance/yakujinib", "Yakujinib"),
    ("ABC0101", "/study/ABC0101", "ABC0101"),
])
def test_search_finds_products_concepts_substances_and_studies(server: Server, query: str, href: str,
                                                                label: str) -> None:
    first = search(server, query)[0]
    assert (first["href"], first["label"], first["rank"]) == (href, label, "exact")


def test_search_as_you_type_ranks_prefix_before_contains(server: Server) -> None:
    hits = search(server, "ヤク")
    assert hits[0]["href"] == "/product/yakujin" and hits[0]["rank"] == "prefix"
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks, key=["exact", "prefix", "contains"].index)
    assert any(h["rank"] == "contains" for h in search(server, "リンパ腫"))


def test_search_page_works_without_script(server: Server) -> None:
    html = page(server, "/search?q=ヤクジン")
    assert 'href="/product/yakujin"' in html and "<q>ヤクジン</q>" in html
    assert 'value="ヤクジン"' in html  # the box keeps the query


# --------------------------------------------------------------------------- product


def test_product_page_has_every_group_with_evidence(server: Server) -> None:
    html = page(server, "/product/yakujin")
    text = text_of(html)
    assert '<html lang="en">' in html
    assert "Product Yakujin" in text and "Yakujin Tablets 10 mg" in text and "ヤクジン錠10 mg" in text
    assert "Kakuu Pharma" in text and 'href="/substance/yakujinib"' in html
    # indications, in both reviews, each with its evidence
    assert "Relapsed or refractory peripheral T-cell lymphoma" in text
    assert "再発又は難治性の末梢性T細胞リンパ腫" in text
    # regimens, under the indication they are for
    regimens = between(text, "Dosage regimens", "Dose modifications (")
    assert "For: peripheral T-cell lymphoma" in regimens
    assert "20 mg oral once daily 28-day cycle, Day 1-21" in regimens
    assert "For adults, the usual dosage is 20 mg of yakujinib administered orally once daily" in regimens
    # safety concerns by category, from the Japanese review's RMP table
    concerns = between(text, "Safety concerns (", "Pharmacovigilance and risk-minimisation")
    identified = between(concerns, "Important identified risks", "Important potential risks")
    assert all(c in identified for c in ("感染症", "骨髄抑制", "皮膚障害", "腫瘍崩壊症候群"))
    assert "間質性肺疾患" in between(concerns, "Important potential risks", "Missing information")
    assert "肝機能障害患者における安全性" in between(concerns, "Missing information")
    # evidence in Japanese on an English page carries its language; PDF pages link to the image
    assert re.search(r'<blockquote lang="ja" class="evidence">感染症</blockquote>', html)
    assert re.search(r'<a href="/page-image/[0-9a-f]{64}/5\.png\?box=[\d.+%]+" class="page-link" data-page="5"', html)


def test_product_page_shows_where_documents_differ(server: Server) -> None:
    """The consistency report inline: the two Solarista RMPs (a revision) and the English and
    Japanese reviews of Yakujin (doses; their indications are worded in two languages and are
    not compared)."""
    text = text_of(page(server, "/product/x-930f9c2c1995"))
    differences = between(text, "Where documents differ (")
    assert "safety-concerns · 二次性悪性腫瘍 · later version" in differences
    assert re.search(r"The 2025-04-10 version says otherwise\s*:\s*not listed", text)  # on the new concern's row
    yakujin = text_of(page(server, "/product/yakujin"))
    assert "indication · peripheral-t-cell-lymphoma" not in yakujin
    assert "dose · Yakujinib in mg · disagreement" in yakujin


def test_pages_in_japanese(server: Server) -> None:
    status, headers, body = get(server, "/product/yakujin?lang=ja")
    html = body.decode()
    assert status == 200 and '<html lang="ja">' in html
    assert "lang=ja" in headers.get("Set-Cookie", "")
    text = text_of(html)
    assert "製品 ヤクジン" in text and "効能・効果" in text and "重要な特定されたリスク" in text
    assert re.search(r'<blockquote lang="en" class="evidence">Relapsed or refractory', html)
    # the cookie keeps the choice; Accept-Language decides without either
    assert '<html lang="ja">' in page(server, "/documents", Cookie="lang=ja")
    assert '<html lang="ja">' in page(server, "/documents", Accept_Language="ja-JP,ja;q=0.9")


def test_unknown_pages_are_not_found(server: Server) -> None:
    assert get(server, "/product/no-such-product")[0] == 404
    assert get(server, "/concept/no-such-concept")[0] == 404
    assert get(server, "/document/" + "0" * 64)[0] == 404
    assert get(server, "/document/not-a-sha")[0] == 404


# --------------------------------------------------------------------------- concept, study


def test_concept_page_answers_questions_1_6_and_9(server: Server) -> None:
    text = text_of(page(server, "/concept/cytokine-release-syndrome"))
    carried = between(text, "Products that carry it as a safety concern", "Adverse-event incidences")
    assert "ソラリスタ important identified risk サイトカイン放出症候群" in carried
    assert "一般使用成績調査(ABC1001) (ongoing)" in carried
    incidences = between(text, "Adverse-event incidences", "Management rules for it")
    assert "ABC0101 ソラリスタ 第I相パート all grades 12 40 30" in incidences
    rules = between(text, "Management rules for it", "Indications naming it")
    assert "フィクタセル" in rules and "トシリズマブ" in rules


def test_study_page(server: Server) -> None:
    text = text_of(page(server, "/study/ABC0101"))
    assert "Study ABC0101" in text and "all grades 12 40 30" in text


# --------------------------------------------------------------------------- documents


def test_documents_page_lists_every_document_with_its_outcome(server: Server) -> None:
    html = page(server, "/documents")
    text = text_of(html)
    assert "8 documents · 8 ok · 0 partial" in text
    # title kind product date pages page-statuses facts status (read from the ingest table)
    assert re.search(r"ソラリスタに係る医薬品リスク管理計画書\(RMP\)の概要 RMP ソラリスタ 2025-04-10 6 6 ok 24 ok", text)
    assert re.search(r"審査報告書 review report Yakujin 2024-11-01 6 6 ok 49 ok warning row-unreadable", text)
    rmps = between(text_of(page(server, "/documents?kind=RiskManagementPlan")), "Reasons")
    assert rmps.count("RMP ソラリスタ") == 2 and "review report" not in rmps


def test_document_page_lists_facts_by_section(server: Server) -> None:
    docs = page(server, "/documents")
    sha = re.search(r'href="/document/([0-9a-f]{64})"[^>]*>ソラリスタに係る[^<]*</a> <|'
                    r'href="/document/([0-9a-f]{64})" class="doc">ソラリスタに係る', docs)
    assert sha is not None
    text = text_of(page(server, f"/document/{sha.group(1) or sha.group(2)}"))
    assert "rmp_solarista_v" in text and "Facts by section" in text
    section = between(text, "§ 1.(1) (5)", "§ 4.")
    assert "adverse event incidence ABC0101 · cytokine release syndrome · 第I相パート · all grades · 12 · 40 · 30" in section
    assert "safety concern important identified risk · サイトカイン放出症候群" in section


# --------------------------------------------------------------------------- RMP diff


def test_rmp_diff_page_gives_the_command_line_report(server: Server, sample_pdf_store: Path) -> None:
    from extract.diff import diff_stored

    html = page(server, "/diff")
    old, new = (re.search(rf'<option value="([0-9a-f]{{64}})"[^>]*>{d} · rmp_solarista_v{v}\.pdf', html).group(1)
                for d, v in (("2025-04-10", 1), ("2025-11-20", 2)))
    report = page(server, "/diff?" + urllib.parse.urlencode({"product": "x-930f9c2c1995", "old": old, "new": new}))
    shown = [text_of(m) for m in re.findall(r'<pre class="change">(.*?)</pre>', report, re.S)]
    expected, _ = diff_stored(str(sample_pdf_store), f"{ID}doc/{old}", f"{ID}doc/{new}")
    items: list[str] = []  # each "  - " line of the command line's report, with its continuation lines
    for line in expected.splitlines():
        if line.startswith("  - "):
            items.append(line[4:])
        elif line.startswith("    ") and items:
            items[-1] += " " + line.strip()
    assert shown == [" ".join(item.split()) for item in items] and len(items) > 20
    assert "moved potential -> identified: 間質性肺疾患" in shown
    status, headers, body = get(server, "/diff/report?" + urllib.parse.urlencode(
        {"old": old, "new": new, "format": "json"}))
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert json.loads(body)["product"] == "ソラリスタ"
    assert get(server, "/diff?old=x&new=y")[0] == 200  # versions not of the product: the form again


# --------------------------------------------------------------------------- page images


def _evidence_link(server: Server) -> tuple[str, str, int, tuple[float, ...]]:
    html = page(server, "/product/x-930f9c2c1995")
    m = re.search(r'<a href="(/page-image/([0-9a-f]{64})/(\d+)\.png\?box=([^"]+))" class="page-link"', html)
    assert m is not None
    box = tuple(float(v) for v in urllib.parse.unquote_plus(m.group(4)).split())
    return m.group(1).replace("&amp;", "&"), m.group(2), int(m.group(3)), box


def test_page_image_draws_the_evidence_box(server: Server) -> None:
    from PIL import Image

    from extract.web.pdfpage import SCALE

    href, sha, number, box = _evidence_link(server)
    status, headers, body = get(server, href)
    assert status == 200 and headers["Content-Type"] == "image/png"
    boxed = Image.open(io.BytesIO(body)).convert("RGB")
    plain = Image.open(io.BytesIO(get(server, f"/page-image/{sha}/{number}.png")[2])).convert("RGB")
    assert boxed.size == plain.size and boxed.size[0] == round(595.27 * SCALE)  # an A4 page at 1.5 px/pt
    x0, top, x1, bottom = box
    edge = (int(x0 * SCALE) - 2, int((top + bottom) / 2 * SCALE))  # on the box's left outline
    outside = (int(x0 * SCALE) - 2, int((bottom + 30) * SCALE))
    assert boxed.getpixel(edge) != plain.getpixel(edge)
    assert boxed.getpixel(outside) == plain.getpixel(outside)


def test_evidence_boxes_hold_the_evidence_text(sample_pdf_store: Path) -> None:
    """Every box recorded for a PDF fact frames the first line of its evidence: the text
    pdfplumber finds inside the box contains it (checked on every boxed fact of the samples)."""
    import pdfplumber

    from extract.store import Store

    with Store(sample_pdf_store, read_only=True) as st:
        facts_only = f'FILTER(STRSTARTS(STR(?x), "{ID}fact/"))'  # entities gather every document's
        rows = st.select("SELECT ?path ?page ?box ?ev WHERE { ?x yk:bbox ?box ; yk:page ?page ; "
                         f"yk:evidenceText ?ev ; prov:wasDerivedFrom ?d . ?d yk:sourcePath ?path {facts_only} }}")
        facts = st.select("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x yk:evidenceText ?e ; yk:page ?p ; "
                          f'yk:extractionMethod "pdf-text" {facts_only} }}')
    assert len(rows) == int(facts[0]["n"].value) > 200  # every fact read from a PDF's text has its box
    opened: dict[str, object] = {}
    for r in rows:
        pdf = opened.setdefault(r["path"].value, pdfplumber.open(r["path"].value))
        x0, top, x1, bottom = (float(v) for v in r["box"].value.split())
        inside = pdf.pages[int(r["page"].value) - 1].crop((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_text()
        first = r["ev"].value.split("\n")[0]
        assert "".join(first.split()) in "".join(inside.split()), (first, inside)
    for pdf in opened.values():
        pdf.close()  # type: ignore[attr-defined]


def test_a_moved_pdf_is_found_under_pdf_dir_or_explained(sample_pdf_store: Path, tmp_path: Path) -> None:
    from extract.serve import ReadOnlyView
    from extract.serve import Reply
    from extract.web.pdfpage import page_image

    view = ReadOnlyView(sample_pdf_store)
    row = view.select("SELECT ?sha ?path ?file WHERE { ?d yk:sha256 ?sha ; yk:sourcePath ?path ; "
                      "yk:fileName \"rmp_solarista_v1.pdf\" ; yk:fileName ?file }")[0]
    sha, source = row["sha"].value, Path(row["path"].value)
    moved = tmp_path / "here" / "deeper"
    moved.mkdir(parents=True)
    shutil.copy(source, moved / source.name)
    # a file of the same name with other bytes is not taken for it
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / source.name).write_bytes(b"%PDF-1.4 other bytes")
    original = source.read_bytes()
    source.unlink()
    try:
        missing = page_image(view, f"/page-image/{sha}/1.png", {}, (str(tmp_path / "elsewhere"),))
        assert isinstance(missing, Reply) and missing.status == 404
        message = missing.body.decode()
        assert str(source) in message and "--pdf-dir" in message and "other bytes" in message
        found = page_image(view, f"/page-image/{sha}/1.png", {}, (str(tmp_path / "here"),))
        assert found.status == 200 and found.body.startswith(b"\x89PNG")
    finally:
        source.write_bytes(original)


# --------------------------------------------------------------------------- the whole site


@pytest.mark.parametrize("path", ["/products", "/documents", "/diff", "/search?q=CRS", "/product/yakujin",
                                  "/concept/cytokine-release-syndrome", "/study/ABC0101", "/substance/yakujinib"])
def test_every_page_has_the_search_box_and_no_outside_assets(server: Server, path: str) -> None:
    html = page(server, path)
    assert '<form role="search" action="/search"' in html and 'id="q"' in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert html.count("<h1") == 1 and '<main id="main"' in html


def test_a_concept_many_products_share_lists_the_first_statements(sample_pdf_store: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each table of a concept page shows its first statements by product and study, says how
    many there are, and links to all of them (here with a limit of 2 instead of 60)."""
    from extract.serve import ReadOnlyView
    from extract.web import pages
    from extract.web.html import Context

    monkeypatch.setattr(pages, "CONCEPT_ROWS", 2)
    view = ReadOnlyView(sample_pdf_store)
    path = "/concept/cytokine-release-syndrome"
    first = text_of(pages.concept_page(view, Context("en", path), "cytokine-release-syndrome").decode())
    incidences = between(first, "Adverse-event incidences", "Management rules for it")
    assert "The first 2 of 12 statements, by product and study. Show all" in incidences
    assert incidences.count("all grades") + incidences.count("grade ≥3") == 2
    every = text_of(pages.concept_page(view, Context("en", path, (("all", "1"),)), "cytokine-release-syndrome").decode())
    assert "Show all" not in every
    assert between(every, "Adverse-event incidences", "Management rules for it").count("grade") >= 8


def test_facts_from_ocr_or_recovered_fonts_say_so() -> None:
    from extract.web.statements import method_badge

    ocr, recovered = str(method_badge("ocr", "en")), str(method_badge("font-recovered", "ja"))
    assert ">OCR<" in ocr and "check the values against the page" in ocr and "warn" in ocr
    assert ">font-recovered<" in recovered and "復元したフォント対応表" in recovered
    assert method_badge("pdf-text", "en") is None and method_badge("text", "en") is None
