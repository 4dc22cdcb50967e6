"""Real OCR: Tesseract (jpn+eng) on generated pages that carry no readable text.

The fixture (``make_pdfs.make_ocr_package_insert``, fictional wording) is a three-page package
insert: page 1 is ordinary text, page 2 a scan (an image, no text objects), page 3 text in an
embedded font whose ToUnicode map was removed (pdfminer shows ``(cid:N)``, pdfium control
characters). Pages 2 and 3 must be read by Tesseract, and facts from them must say so in the
graph. Skipped when Tesseract or its Japanese data is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from extract.load import load_document
from extract.load.pdf import despace_japanese, text_problem
from extract.model import Document


def _tesseract_missing() -> str | None:
    """Why real OCR cannot run here, or None."""
    if shutil.which("tesseract") is None:
        return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn)"
    done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    langs = set((done.stdout + done.stderr).split())
    missing = {"jpn", "eng"} - langs
    if missing:
        return f"Tesseract language data missing: {', '.join(sorted(missing))} (apt-get install tesseract-ocr-jpn)"
    return None


needs_tesseract = pytest.mark.skipif(_tesseract_missing() is not None,
                                     reason=_tesseract_missing() or "")


@pytest.fixture(scope="module")
def ocr_pdf(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if make_pdfs._find_ipaex() is None:
        pytest.skip("IPAex Gothic is not installed (fonts-ipaexfont-gothic): no OCR fixture")
    return make_pdfs.make_ocr_fixtures(tmp_path_factory.mktemp("ocr"))["ocr_package_insert.pdf"]


@pytest.fixture(scope="module")
def ocr_doc(ocr_pdf: Path) -> Document:
    if _tesseract_missing() is not None:
        pytest.skip(_tesseract_missing() or "")
    return load_document(ocr_pdf)


def _page_lines(doc: Document, number: int) -> list[str]:
    page = doc.pages[number - 1]
    return doc.text[page.start:page.end].split("\n")


def test_fixture_pages_have_no_usable_text(ocr_pdf: Path) -> None:
    """Without OCR the scan is empty and the broken-font page is garbage to both engines."""
    import pdfplumber
    import pypdfium2

    with pdfplumber.open(ocr_pdf) as pdf:
        assert pdf.pages[1].chars == []
        assert pdf.pages[1].images
        assert text_problem(pdf.pages[2].extract_text().split("\n")) is not None
    pdfium = pypdfium2.PdfDocument(str(ocr_pdf))
    try:
        raw = pdfium[2].get_textpage().get_text_bounded()
    finally:
        pdfium.close()
    assert text_problem(raw.replace("\r", "").split("\n")) is not None


@needs_tesseract
@pytest.mark.parametrize(("number", "status", "reason"), [
    (1, "ok", ""),
    (2, "ocr", "image-only page (scanned); text by OCR (Tesseract)"),
    (3, "ocr", "glyphs in fonts without a usable Unicode map (IPAexGothic); text by OCR (Tesseract)"),
])
def test_page_status(ocr_doc: Document, number: int, status: str, reason: str) -> None:
    page = ocr_doc.pages[number - 1]
    assert page.status == status
    assert page.reason.endswith(reason)


@needs_tesseract
@pytest.mark.parametrize(("number", "line"), [
    (2, "【使用上の注意】"),
    (2, "3. 副作用"),
    (2, "(1) 重大な副作用"),
    (2, "1) 好中球減少(81.9%)"),
    (2, "2) 間質性肺疾患(4.2%)"),
    (2, "Neutropenia 81.9%"),
    (3, "(2) その他の副作用"),
    (3, "発疹(12.5%)"),
    (3, "Rash 12.5%"),
])
def test_ocr_recovers_lines(ocr_doc: Document, number: int, line: str) -> None:
    assert line in _page_lines(ocr_doc, number)


@needs_tesseract
def test_text_page_is_not_ocred(ocr_doc: Document) -> None:
    lines = _page_lines(ocr_doc, 1)
    assert "販売名  架空錠25mg" in lines
    assert "承認番号  30800AMX00999000" in lines


@needs_tesseract
def test_facts_from_ocr_pages_say_ocr_in_the_graph(ocr_pdf: Path, tmp_path: Path) -> None:
    from extract import pipeline
    from extract.store import Store

    with Store(tmp_path / "store") as store:
        pipeline.ensure_ontology(store)
        (outcome,) = pipeline.ingest_paths([ocr_pdf], store)
        assert outcome.status == "ok", outcome.reason
        rows = store.select("""
            SELECT ?evidence ?page ?method WHERE {
              ?fact a yk:AdverseEventIncidence ;
                    yk:evidenceText ?evidence ; yk:page ?page ; yk:extractionMethod ?method .
            } ORDER BY ?evidence""")
        text_rows = store.select("""
            SELECT DISTINCT ?method WHERE {
              ?fact a yk:Indication ; yk:extractionMethod ?method .
            }""")
    found = {(r["evidence"].value, int(r["page"].value), r["method"].value) for r in rows}
    assert ("好中球減少(81.9%)", 2, "ocr") in found
    assert ("間質性肺疾患(4.2%)", 2, "ocr") in found
    assert [r["method"].value for r in text_rows] == ["pdf-text"]


@pytest.mark.parametrize(("line", "expected"), [
    ("重 大 な 副 作 用", "重大な副作用"),
    ("1) 好 中 球 減 少 (81.9%)", "1) 好中球減少 (81.9%)"),
    ("販売名 架空錠25mg", "販売名 架空錠25mg"),      # a label and its value: one gap, kept
    ("販売名   架空錠 25mg", "販売名   架空錠 25mg"),  # a run of spaces is a printed gap
    ("Neutropenia 81.9%", "Neutropenia 81.9%"),
    ("11.1 重大な副作用", "11.1 重大な副作用"),
    ("重 大な副作用", "重 大な副作用"),                # one space among joined characters
    ("", ""),
])
def test_despace_japanese(line: str, expected: str) -> None:
    assert despace_japanese(line) == expected
