"""The PDF loader on generated PDFs: text lines, ruled tables, pages, broken-text checks, and
the seeds' PDF renditions against the text loader."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import pytest

from extract.load import load_document
from extract.load.layout import PAGE_BREAK
from extract.load.pdf import load_pdf, text_problem
from extract.load.pdf_layout import with_blank_lines
from extract.model import Document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"

# A fictional two-language document: headings, a paragraph, indentation, and a ruled table with
# a row whose last cell spans two columns.
SAMPLE = "\n".join([
    "1. 効能又は効果",
    "再発又は難治性の成人T細胞白血病リンパ腫",
    "",
    "2. Dose and route",
    "Adults take 25 mg of Zentolimab by mouth once a day.",
    "    (1) indented  with  double spaces",
    "表 1 減量基準",
    "検査項目\t基準値\t処置",
    "好中球数\t1,000/μL未満\t休薬",
    "血小板数\t25,000/μL未満\t休薬",
    "注記\tspans the last two columns",
    "以上",
])


@pytest.fixture(scope="module")
def sample_doc(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Document:
    text = SAMPLE + "\f" + "3. Page two\n" + "\n".join(f"line {i}" for i in range(60))
    path = make_pdfs.render_text(text, tmp_path_factory.mktemp("sample") / "sample.pdf")
    return load_document(path)


@pytest.mark.parametrize(("index", "expected"), [
    (0, "1. 効能又は効果"),
    (1, "再発又は難治性の成人T細胞白血病リンパ腫"),
    (2, ""),  # a blank line: a vertical gap of one line pitch
    (3, "2. Dose and route"),
    (4, "Adults take 25 mg of Zentolimab by mouth once a day."),
    (5, "    (1) indented  with  double spaces"),
    (6, "表 1 減量基準"),
    (7, "検査項目\t基準値\t処置"),
    (8, "好中球数\t1,000/μL未満\t休薬"),
    (9, "血小板数\t25,000/μL未満\t休薬"),
    (10, "注記\tspans the last two columns"),
    (11, "以上"),
])
def test_sample_text_lines(sample_doc: Document, index: int, expected: str) -> None:
    first_page = sample_doc.text.split("\f")[0]
    assert first_page.split("\n")[index] == expected


@pytest.mark.parametrize(("row", "col", "text", "col_span"), [
    (0, 0, "検査項目", 1),
    (0, 1, "基準値", 1),
    (0, 2, "処置", 1),
    (1, 0, "好中球数", 1),
    (1, 1, "1,000/μL未満", 1),
    (1, 2, "休薬", 1),
    (2, 1, "25,000/μL未満", 1),
    (3, 0, "注記", 1),
    (3, 1, "spans the last two columns", 2),
])
def test_sample_table_cells(sample_doc: Document, row: int, col: int, text: str, col_span: int) -> None:
    table = sample_doc.tables[0]
    cell = next(c for c in table.cells if (c.row, c.col) == (row, col))
    assert (cell.text, cell.col_span) == (text, col_span)
    assert sample_doc.text[cell.ref.start:cell.ref.end] == text
    assert cell.ref.page == 1


def test_sample_table_shape(sample_doc: Document) -> None:
    assert len(sample_doc.tables) == 1
    table = sample_doc.tables[0]
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert not any((c.row, c.col) == (3, 2) for c in table.cells)  # covered by the span


def test_sample_pages_and_format(sample_doc: Document) -> None:
    assert sample_doc.source_format == "pdf"
    assert [p.number for p in sample_doc.pages] == [1, 2, 3]  # 1 + 61 lines at 50 per page
    assert [p.status for p in sample_doc.pages] == ["ok", "ok", "ok"]
    pages = sample_doc.text.split(PAGE_BREAK)
    assert pages[1].split("\n")[:2] == ["3. Page two", "line 0"]
    assert pages[2].split("\n")[0] == "line 49"


@pytest.mark.parametrize(("lines", "problem"), [
    (["(cid:12)(cid:845)(cid:3)(cid:77) (cid:902)"], "(cid:N)"),
    (["用法及び用量 25 mg を1日1回経口投与する。" * 3, "\ue09f 箇条書き"], None),
    (["\ue001\ue002\ue003 \ue004\ue005\ue006\ue007"], "private-use"),
    (["ཋཛྷཾྏྠྱ࿂ အဲ၃ၔၥ"], "unexpected scripts"),
    (["ﺍﻟﺪﻭﺍﺀ ﺍﻟﺠﺮﻋﺔ"], "unexpected scripts"),
    (["Adults take 25 mg (μg/kg, α, β) once a day."], None),
    (["ー・ヶ 〇 ㍉ ① ≥ 10^6個"], None),
    # pdfium's text for glyphs without a Unicode map: control characters
    (["(2) \x01\x02\x03\x02\x04\x05\x06", "\x07\x08(12.5%)", "Rash 12.5%"], "control characters"),
    (["Tabs\tare\ttext", "用法及び用量 25 mg を1日1回経口投与する。"], None),
    (["\x00 箇条書き", "\x00 bullets from a font without the glyph"], None),  # NUL: a missing glyph
])
def test_text_problem(lines: list[str], problem: str | None) -> None:
    found = text_problem(lines)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(("tops", "height", "expected"), [
    ([0, 14, 28], 9, ["a", "b", "c"]),
    ([0, 14, 42], 9, ["a", "b", "", "c"]),
    ([0, 14, 28, 70], 9, ["a", "b", "c", "", "", "d"]),
    ([0, 28, 56], 9, ["a", "", "b", "", "c"]),  # every line a blank line apart (title page)
    ([0, 12, 29], 9, ["a", "b", "c"]),  # under 1.5 pitches: no blank line …
    ([0, 12, 30], 9, ["a", "b", "", "c"]),  # … 1.5 pitches: one
    ([5], 9, ["a"]),
])
def test_with_blank_lines(tops: list[float], height: float, expected: list[str]) -> None:
    placed = [(top, text) for top, text in zip(tops, "abcd")]
    assert with_blank_lines(placed, height) == expected


def test_ocr_mode_is_checked(sample_doc: Document) -> None:
    with pytest.raises(ValueError, match="ocr must be one of"):
        load_pdf(b"%PDF-1.4", "x.pdf", ocr="sometimes")


# --------------------------------------------------------------------------- seeds

_PUA = re.compile(r"[\ue000-\uf8ff]")


def _lines(doc: Document) -> list[str]:
    """Non-blank lines, trailing spaces stripped; page breaks count as line breaks (the PDF
    has a page every ~50 lines, the text has none)."""
    return [ln.rstrip() for ln in re.split(r"[\n\f]", doc.text) if ln.strip()]


@lru_cache(maxsize=None)
def _load(path: Path) -> Document:
    """Each rendition is loaded once per session (loading a PDF takes seconds)."""
    return load_document(path)


def _seed_names() -> list[str]:
    return sorted(p.name for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else ["(no seeds)"]


@pytest.mark.parametrize("name", _seed_names())
def test_seed_rendition_has_the_same_lines(name: str, pdf_renditions: dict[str, Path]) -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from_text = load_document(SEEDS / name)
    from_pdf = _load(pdf_renditions[name])
    assert from_pdf.source_format == "pdf"
    assert all(p.status == "ok" for p in from_pdf.pages)
    # The fixture font has no glyph for private-use characters (a symbol-font bullet in one
    # seed), so the rendition cannot carry them: drop them from the text side only.
    expected = [_PUA.sub("", ln).rstrip() for ln in _lines(from_text)]
    assert _lines(from_pdf) == expected


def _sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES.glob("*.txt")) or ["(no samples)"]


@pytest.mark.parametrize("name", _sample_names())
def test_sample_rendition_has_the_same_lines(name: str, pdf_renditions: dict[str, Path]) -> None:
    if name not in pdf_renditions:
        pytest.skip("no sample text documents in corpus/samples")
    from_pdf = _load(pdf_renditions[name])
    assert _lines(from_pdf) == _lines(load_document(SAMPLES / name))
    assert all(p.status == "ok" for p in from_pdf.pages)


# Hand-read from the optimal-use guideline seed (002): its 13-column adverse-reaction table
# (four target doses, their pool and the total, each "all grades" / "grade 3 or higher").
@pytest.mark.parametrize(("row_label", "col", "value"), [
    ("サイトカイン放出症候群", 1, "2 (66.7)"),
    ("サイトカイン放出症候群", 5, "35 (92.1)"),
    ("好中球減少症", 5, "20 (52.6)"),
    ("貧血", 12, "16 (25.8)"),
])
def test_seed_rendition_table_cells(row_label: str, col: int, value: str,
                                    pdf_renditions: dict[str, Path]) -> None:
    name = "002_1b142aeaa985d70d.txt"
    if not (SEEDS / name).is_file():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    doc = _load(pdf_renditions[name])
    for table in doc.tables:
        labels = [c for c in table.cells if c.col == 0 and c.text == row_label]
        if labels and table.n_cols == 13:
            row = labels[0].row
            cell = next(c for c in table.cells if (c.row, c.col) == (row, col))
            assert cell.text == value
            return
    pytest.fail(f"no table row labelled {row_label}")


# --------------------------------------------------------------------------- same facts


def _text_sources() -> list[str]:
    names = [n for n in _sample_names() if n != "(no samples)"]
    names += [n for n in _seed_names() if n != "(no seeds)"]
    return names or ["(none)"]


def _source_path(name: str) -> Path:
    return SAMPLES / name if (SAMPLES / name).is_file() else SEEDS / name


def _products(doc: Document, doc_type: object) -> list[tuple[object, ...]]:
    from extract.extractors import get_extractor

    result = get_extractor(doc_type)(doc)  # type: ignore[arg-type]
    return [(p.product.text, p.names, tuple(s.text for s in p.substances),
             p.holder.text if p.holder else None) for p in result.products]


@pytest.mark.parametrize("name", _text_sources())
def test_rendition_gives_the_same_products(name: str, pdf_renditions: dict[str, Path]) -> None:
    """Product, trade names, substances and holder: the same from the PDF as from the text
    (the document type is taken from the text, so this checks loader + extractor only)."""
    if name not in pdf_renditions:
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.classify import classify

    from_text = load_document(_source_path(name))
    doc_type = classify(from_text).doc_type
    assert _products(_load(pdf_renditions[name]), doc_type) == _products(from_text, doc_type)


@pytest.mark.parametrize("name", _text_sources())
def test_rendition_is_classified_alike(name: str, pdf_renditions: dict[str, Path]) -> None:
    if name not in pdf_renditions:
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.classify import classify

    expected = classify(load_document(_source_path(name))).doc_type
    assert classify(_load(pdf_renditions[name])).doc_type == expected


def _cells(table: object) -> list[tuple[int, int, str, int]]:
    return [(c.row, c.col, c.text, c.col_span) for c in table.cells]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _text_sources())
def test_rendition_has_the_same_tables(name: str, pdf_renditions: dict[str, Path]) -> None:
    """Every table of the text document comes back from the PDF, in order, cell by cell, each
    cell's span holding exactly its text. (The PDF may hold more: a tab-separated table of
    contents is drawn as a ruled table, which the text loader does not count as a table.)"""
    if name not in pdf_renditions:
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from_pdf = _load(pdf_renditions[name])
    pdf_tables = list(from_pdf.tables)
    text_tables = list(load_document(_source_path(name)).tables)
    pos = i = 0
    while i < len(text_tables):
        # A table the rendition's pagination split across pages comes back as one table (its
        # repeated header dropped): the text's consecutive tables, joined.
        cells = _cells(text_tables[i])
        k = next((j for j in range(pos, len(pdf_tables)) if _cells(pdf_tables[j]) == cells
                  or (len(pdf_tables[j].pages) > 1 and _cells(pdf_tables[j])[:len(cells)] == cells)), None)
        assert k is not None, cells
        merged, pos = pdf_tables[k], k + 1
        rows = merged.n_rows - text_tables[i].n_rows
        i += 1
        while rows > 0 and i < len(text_tables):
            rows -= text_tables[i].n_rows - merged.header_rows
            i += 1
        assert rows == 0
    for table in from_pdf.tables:
        for cell in table.cells:
            assert from_pdf.text[cell.ref.start:cell.ref.end] == cell.text


@pytest.mark.parametrize("text", [
    SAMPLE,
    "a\tb\tc\nd\te\n\nx\ty\tz\n\tq\t\n",
    "見出し\t値\n長い長いセルの内容 with spaces  kept\t25,000/μL\n",
])
def test_fast_table_extraction_matches_pdfplumber(text: str, make_pdfs: ModuleType,
                                                  tmp_path: Path) -> None:
    import pdfplumber

    from extract.load.pdf_tables import RULED_TABLES, _extract_table

    path = make_pdfs.render_text(text, tmp_path / "t.pdf")
    with pdfplumber.open(path) as pdf:
        tables = [(t, page) for page in pdf.pages for t in page.find_tables(RULED_TABLES)]
        assert tables
        for table, page in tables:
            assert _extract_table(table, page.chars) == table.extract(keep_blank_chars=True)


# --------------------------------------------------------------------------- fast objects


def _comparable(value: object) -> object:
    """An object's value with its PDF streams as (attributes, raw bytes): two openings of one
    file give two stream objects, equal in content (pdfminer's streams compare by identity)."""
    from pdfminer.pdftypes import PDFStream

    if isinstance(value, PDFStream):
        return ("stream", value.attrs, value.rawdata)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(map(_comparable, value))
    return value


def _objects_both_ways(path: Path) -> list[tuple[dict[str, list[dict[str, object]]], dict[str, list[dict[str, object]]]]]:
    """Each page's objects (chars, lines, rects, curves, images) as pdfplumber builds them and
    as ``page_objects`` does."""
    import pdfplumber

    from extract.load.pdf_objects import page_objects

    pages = []
    with pdfplumber.open(path) as slow_pdf, pdfplumber.open(path) as fast_pdf:
        for slow, fast in zip(slow_pdf.pages, fast_pdf.pages):
            pages.append((_comparable(slow.objects), _comparable(page_objects(fast))))
    return pages


def _assert_same_objects(path: Path) -> None:
    """Every object, key for key and in pdfplumber's key order, kind by kind, page by page."""
    pages = _objects_both_ways(path)
    assert pages
    for number, (slow, fast) in enumerate(pages, start=1):
        assert sorted(fast) == sorted(slow), f"page {number}: object kinds"
        for kind in slow:
            assert len(fast[kind]) == len(slow[kind]), f"page {number}: {kind}"
            assert fast[kind] == slow[kind], f"page {number}: {kind}"
            assert [list(o) for o in fast[kind]] == [list(o) for o in slow[kind]], f"page {number}: {kind}"


def _all_renditions() -> list[str]:
    names = [p.name for p in sorted(SAMPLES.glob("*.txt"))]
    return names + (_seed_names() if SEEDS.is_dir() else [])


@pytest.mark.parametrize("name", _all_renditions())
def test_fast_objects_equal_pdfplumbers_on_renditions(name: str, pdf_renditions: dict[str, Path]) -> None:
    _assert_same_objects(pdf_renditions[name])


@pytest.fixture(scope="module")
def layout_pdfs(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_pdfs.make_layouts(tmp_path_factory.mktemp("layouts"))


def test_fast_objects_equal_pdfplumbers_on_fixtures(layout_pdfs: dict[str, Path], tmp_path: Path,
                                                    make_pdfs: ModuleType) -> None:
    """Layout, table and OCR fixtures: vertical fonts, images, curves, scans, fonts without a
    Unicode map."""
    paths = {**layout_pdfs, **make_pdfs.make_tables(tmp_path / "tables"),
             **make_pdfs.make_ocr_fixtures(tmp_path / "ocr")}
    for name, path in sorted(paths.items()):
        _assert_same_objects(path)


def _turned_text_pdf(path: Path, mediabox: str, make_pdfs: ModuleType) -> Path:
    """Japanese and Latin text at 0, 90, 45 and 180 degrees, skewed and mirrored, with the
    given MediaBox (an offset box moves every x and top)."""
    from reportlab.pdfgen import canvas

    name = make_pdfs.fonts().names[0]  # IPAex Gothic when installed, else a CID font
    canvas_ = canvas.Canvas(str(path), pagesize=(595, 842))
    for angle, skew, mirror in ((0, 0, 1), (90, 0, 1), (45, 0, 1), (180, 0, 1), (0, 20, 1), (0, 0, -1)):
        canvas_.saveState()
        canvas_.translate(300, 400)
        canvas_.rotate(angle)
        canvas_.skew(skew, 0)
        canvas_.scale(mirror, 1)
        canvas_.setFont(name, 11)
        canvas_.drawString(10, 10, "回転 turned 12.5 mg")
        canvas_.restoreState()
    canvas_.showPage()
    canvas_.save()
    data = path.read_bytes()
    box = re.search(rb"/MediaBox \[[^\]]*\]", data)
    assert box is not None
    path.write_bytes(data.replace(box.group(0), f"/MediaBox [{mediabox}]".encode().ljust(len(box.group(0)))))
    return path


@pytest.mark.parametrize("mediabox", ["0 0 595 842", "15 30 610 872"])
def test_fast_objects_equal_pdfplumbers_on_turned_text(mediabox: str, tmp_path: Path,
                                                       make_pdfs: ModuleType) -> None:
    """Rotated, skewed and mirrored glyphs take pdfminer's full box arithmetic; an offset
    MediaBox shifts x and top the way pdfplumber does."""
    path = _turned_text_pdf(tmp_path / "turned.pdf", mediabox, make_pdfs)
    _assert_same_objects(path)
    chars = _objects_both_ways(path)[0][1]["char"]
    assert len(chars) == 6 * len("回転 turned 12.5 mg")
    assert {round(c["matrix"][1], 3) for c in chars} >= {0.0, 1.0, 0.707}  # 0, 90 and 45 degrees


@pytest.mark.parametrize("fonttype", [3, 42])
def test_fast_objects_equal_pdfplumbers_on_a_chart(fonttype: int, tmp_path: Path) -> None:
    """A matplotlib chart: Type 3 (glyphs drawn as procedures, their own font matrix) or
    TrueType fonts, rotated labels, curves and paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = tmp_path / f"chart_{fonttype}.pdf"
    with matplotlib.rc_context({"pdf.fonttype": fonttype}):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2])
        ax.set_title("ORR 68.6% [56.4, 79.1]")
        ax.set_ylabel("patients (%)")
        ax.text(1.5, 2, "30 degrees", rotation=30)
        fig.savefig(path)
        plt.close(fig)
    _assert_same_objects(path)
    text = "".join(c["text"] for c in _objects_both_ways(path)[0][1]["char"])
    assert "ORR 68.6% [56.4, 79.1]" in text


@pytest.mark.parametrize("name", ["guideline_ja.txt", "review_report_en.txt"])
def test_fast_objects_equal_pdfplumbers_on_cairo_output(name: str, pdf_renditions: dict[str, Path],
                                                        tmp_path: Path) -> None:
    """A second PDF producer: poppler's cairo back end re-draws a rendition with its own fonts
    (CFF subsets), kerned ``TJ`` arrays and paths."""
    import shutil
    import subprocess

    if shutil.which("pdftocairo") is None:
        pytest.skip("pdftocairo (poppler-utils) is not installed")
    path = tmp_path / "cairo.pdf"
    subprocess.run(["pdftocairo", "-pdf", str(pdf_renditions[name]), str(path)], check=True, timeout=120)
    _assert_same_objects(path)


def test_fast_objects_give_the_same_documents(layout_pdfs: dict[str, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Every layout fixture (columns, furniture, tables, tategaki, footnotes…): the same text,
    page by page, and the same table cells, with and without ``page_objects``."""
    from extract.load import pdf as pdf_module

    assert layout_pdfs
    for name, path in sorted(layout_pdfs.items()):
        monkeypatch.setattr(pdf_module, "FAST_OBJECTS", True)
        fast = load_document(path)
        monkeypatch.setattr(pdf_module, "FAST_OBJECTS", False)
        slow = load_document(path)
        assert fast.text.split(PAGE_BREAK) == slow.text.split(PAGE_BREAK), name
        assert [[c.text for c in t.cells] for t in fast.tables] == \
            [[c.text for c in t.cells] for t in slow.tables], name
