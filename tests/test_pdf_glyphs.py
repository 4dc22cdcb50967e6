"""Glyphs without a Unicode map, judged per font (``extract/load/pdf_glyphs.py``): identified,
or dropped and counted, and the page kept; on a generated fixture and on real inserts."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from extract.load.pdf import load_pdf
from extract.load.pdf_glyphs import GlyphOutcome, base_name
from extract.model import Document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
_STRAY = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\x01-\x08\x0b\x0e-\x1f\x7f\ufffd]")  # \f: page breaks


def _page_lines(doc: Document, number: int) -> list[str]:
    page = doc.pages[number - 1]
    return doc.text[page.start:page.end].split("\n")


def _has_line_with(doc: Document, number: int, fragment: str) -> bool:
    return any(fragment in line for line in _page_lines(doc, number))


@pytest.fixture(scope="module")
def unmapped_symbol(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = make_pdfs.make_unmapped_symbol(tmp_path_factory.mktemp("glyphs") / "unmapped_symbol.pdf")
    return load_pdf(path.read_bytes(), str(path))


def test_a_symbol_without_a_map_is_dropped_and_counted(unmapped_symbol: Document) -> None:
    first, second = unmapped_symbol.pages
    assert (first.status, first.reason) == ("ok", "2 glyphs without a Unicode map dropped (font IPAexGothic)")
    assert _page_lines(unmapped_symbol, 1) == [
        "2026年1月作成(第1版)", "架空錠10mg", "効能又は効果", "架空症候群", "用法及び用量",
        "通常、成人には1日1回10mgを経口投与する。", " 承認外の用法は含まない。", "注意事項は別紙参照 "]
    # inside a word: the page is partial, and says so
    assert second.status == "partial"
    assert second.reason == "1 glyph without a Unicode map dropped (font IPAexGothic), 1 inside a word or value"
    assert "奏効率は42.5%であった。" in _page_lines(unmapped_symbol, 2)
    assert not _STRAY.search(unmapped_symbol.text)


def test_the_outcome_note_names_fonts_and_counts() -> None:
    outcome = GlyphOutcome()
    assert outcome.note() == "" and outcome.status == "ok"
    outcome.identified.update(["RyuminPro-Light"] * 3)
    outcome.dropped.update(["GAIJI", "GAIJI", "SystemG-0"])
    outcome.in_values = 1
    assert outcome.note() == ("3 glyphs without a Unicode map identified (font RyuminPro-Light); "
                              "3 glyphs without a Unicode map dropped (font GAIJI, SystemG-0), "
                              "1 inside a word or value")
    assert outcome.status == "partial"
    assert base_name("XTDIJO+RyuminPro-Light") == "RyuminPro-Light"


# Carbamazepine (old format, Adobe-Japan1 CID font): the ToUnicode map sends CID 1, the
# collection's space, to U+0007; pages 1, 4, 5 and 6 were thrown away (pages 2-3 read by pdfium).
@pytest.mark.parametrize(("page", "fragment"), [
    (1, "1. 本剤の成分又は三環系抗うつ剤に対して過敏症の既往歴"),
    (1, "エムトリシタビン・テノホビル アラフェナミドを投与中"),
    (2, "チトクロームP450 3A4"),
    (4, "6) 急性腎障害(間質性腎炎等)(頻度不明)"),
    (5, "(2) 処置:特異的な解毒剤は知られていない。"),
    (5, "AST(GOT)の上昇、ALT(GPT)の上昇、Al-Pの上昇、γ-GTPの上昇"),
    (6, "カルバマゼピン錠100mg「フジナガ」と標準製剤を、クロスオーバー"),
])
def test_carbamazepine_pages_are_read(real_document: Callable[[str], Document], page: int, fragment: str) -> None:
    doc = real_document("product/carbamazepine-fujinaga-package-insert-2020-06.pdf")
    assert [p.status for p in doc.pages] == ["ok"] * 6
    assert doc.pages[page - 1].reason.endswith("glyphs without a Unicode map identified (font RyuminPro-Light)")
    assert _has_line_with(doc, page, fragment)


# A gaiji font without any map: parenthesised numbers before each serious adverse reaction
# (page 2) and a wavy underline (page 4) are dropped; both pages were OCR'd or thrown away.
@pytest.mark.parametrize(("page", "fragment"), [
    (2, "劇症肝炎(頻度不明)、肝炎(0.03%)、肝機能障害(2.0%)、"),
    (2, "粒球症(頻度不明)、血小板減少(0.3%)"),
    (4, "2)Sjöquist,B.et al.:薬物動態,6(3),439,1991"),
])
def test_gaiji_glyphs_are_dropped(real_document: Callable[[str], Document], page: int, fragment: str) -> None:
    doc = real_document("product/pi-671450_6219001H1056_2_05.pdf")
    assert [p.status for p in doc.pages] == ["ok"] * 4
    assert doc.pages[1].reason.endswith("13 glyphs without a Unicode map dropped (font GAIJI)")
    assert doc.pages[3].reason.endswith("66 glyphs without a Unicode map dropped (font GAIJI)")
    assert _has_line_with(doc, page, fragment)


# Adobe-Japan1 CIDs pdfminer's table lacks (proportional digits, hyphens): pdfium's reading
# of the same glyph. The pages keep pdfplumber's layout (they were pdfium's flat text).
@pytest.mark.parametrize(("name", "page", "fragment"), [
    ("product/tegretol-package-insert-2021-10.pdf", 1, "最初1日量200~400"),
    ("product/tegretol-package-insert-2021-10.pdf", 6, "HLA-A*3101保有者は"),
    ("product/tegretol-package-insert-2021-10.pdf", 2, "ン-10, 11-エポキシドの代謝に関与する酵素"),
    ("product/simvastatin-ohara-package-insert-2023-07.pdf", 3, "末梢神経障害"),
    ("product/simvastatin-ohara-package-insert-2023-07.pdf", 3, "ALT(GPT)上昇、Al-P上"),
    ("product/pi-400042_6219001F1101_0_04.pdf", 2, "胸やけ、膵炎、口渇"),
])
def test_collection_glyphs_are_read_through_pdfium(real_document: Callable[[str], Document], name: str, page: int,
                                                   fragment: str) -> None:
    doc = real_document(name)
    assert all(p.status == "ok" and "pypdfium2" not in p.reason for p in doc.pages)
    assert "identified" in doc.pages[page - 1].reason
    assert _has_line_with(doc, page, fragment)


def test_symbol_font_bullets_are_identified(real_document: Callable[[str], Document]) -> None:
    doc = real_document("review/imbruvica-2023-01-review.pdf")
    assert doc.pages[1].reason == "2 glyphs without a Unicode map identified (font Wingdings-Regular)"
    assert any(re.match(r"•\s+未治療の場合", line) for line in _page_lines(doc, 2))


def _real_documents() -> list[str]:
    return sorted(str(p.relative_to(REAL)) for p in REAL.glob("*/*.pdf")) or ["(no real documents)"]


SAMPLED = 40  # pages: a longer document is checked on every fifth page (the suite's time)


def _unreadable(real_document: Callable[[str], Document], name: str, count: int) -> list[int]:
    """The numbers of the pages the loader marks unreadable (all pages when it refuses the
    document); of a long document, among every fifth page, read one by one as the loader does."""
    from extract.errors import InputError
    from extract.load.pdf import _open, _PdfReader

    if count <= SAMPLED:
        try:
            return [p.number for p in real_document(name).unreadable_pages() if p.number is not None]
        except InputError:
            return list(range(1, count + 1))
    data = (REAL / name).read_bytes()
    reader = _PdfReader(data, name, None, "never")
    pdf = _open(data, name, None)
    try:
        read = {i + 1: reader._page(pdf, i) for i in range(0, count, 5)}
    finally:
        pdf.close()
    return [n for n, page in read.items() if getattr(page, "status", "ok") == "unreadable"]


@pytest.mark.parametrize("name", _real_documents())
def test_no_real_page_of_real_text_is_unreadable(real_document: Callable[[str], Document], name: str) -> None:
    """Issue 22's measure: a page is unreadable only when its text is not text. Judged apart
    from the loader: pypdfium2's text of the page, unmapped glyphs removed, has real Japanese
    (kana or kanji make 30 % of its letters) with few strays (under 10 % of its glyphs)."""
    import pypdfium2

    if not (REAL / name).is_file():
        pytest.skip(f"real documents not available: {REAL} is absent")
    pdf = pypdfium2.PdfDocument(REAL / name)
    for number in _unreadable(real_document, name, len(pdf)):
        text = pdf[number - 1].get_textpage().get_text_bounded()
        glyphs = [ch for ch in text if not ch.isspace()]
        strays = len(_STRAY.findall(text))
        japanese = sum(1 for ch in glyphs if "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff")
        letters = sum(1 for ch in glyphs if ch.isalpha())
        real = len(glyphs) >= 50 and strays < 0.1 * len(glyphs) and japanese >= 0.3 * max(letters, 1)
        assert not real, f"page {number} is unreadable, but pdfium reads it: {text[:80]!r}"
