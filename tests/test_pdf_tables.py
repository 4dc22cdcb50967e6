"""PDF tables the page pass must read beyond fully ruled grids: cells merged across rows
(kept once, with their row span), tables with horizontal rules only (booktabs), and
borderless tables under a ``表 N`` caption; and what must stay text.

The fixtures are fictional, drawn by ``scripts/make_pdfs.py`` (``make_tables``); the values
below are the ones drawn there, read from the rendered pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from extract.load import load_document
from extract.load.layout import PAGE_BREAK, tab_columns
from extract.model import Document, Table

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"

@pytest.fixture(scope="module")
def tables(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    paths = make_pdfs.make_tables(tmp_path_factory.mktemp("tables"))
    return {name: load_document(path) for name, path in paths.items()}


def _cell(table: Table, row: int, col: int) -> tuple[str, int, int]:
    cell = next(c for c in table.cells if (c.row, c.col) == (row, col))
    return cell.text, cell.row_span, cell.col_span


def _lines(doc: Document) -> list[str]:
    return [ln for ln in doc.text.split(PAGE_BREAK)[0].split("\n") if ln.strip()]


# --------------------------------------------------------------------------- merged across rows

@pytest.mark.parametrize(("row", "col", "text", "row_span", "col_span"), [
    (0, 0, "器官別大分類", 1, 1),
    (0, 3, "Grade 3以上 n(%)", 1, 1),
    (1, 0, "血液およびリンパ系障害", 3, 1),  # two printed lines, joined without a space
    (1, 1, "好中球減少症", 1, 1),
    (1, 2, "41 (45.6)", 1, 1),
    (2, 1, "貧血", 1, 1),
    (2, 2, "20 (22.2)", 1, 1),
    (2, 3, "8 (8.9)", 1, 1),
    (3, 1, "血小板減少症", 1, 1),
    (3, 3, "5 (5.6)", 1, 1),
    (4, 0, "胃腸障害", 2, 1),
    (5, 1, "下痢", 1, 1),
    (5, 3, "1 (1.1)", 1, 1),
    (6, 0, "一般・全身障害", 1, 1),
    (6, 3, "", 1, 1),  # a bordered empty cell: empty, not merged
])
def test_soc_cells(tables: dict[str, Document], row: int, col: int, text: str,
                   row_span: int, col_span: int) -> None:
    table = tables["soc_table.pdf"].tables[0]
    assert _cell(table, row, col) == (text, row_span, col_span)


@pytest.mark.parametrize(("row", "col", "text", "row_span"), [
    (0, 0, "重症度", 1),
    (1, 0, "Grade 1", 2),
    (1, 1, "発熱", 1),
    (1, 2, "解熱剤を投与する", 2),
    (2, 1, "倦怠感", 1),  # between two covered positions: spans one column
    (3, 0, "Grade 2", 1),
    (3, 2, "トシリズマブを投与する", 1),
])
def test_crs_cells(tables: dict[str, Document], row: int, col: int, text: str, row_span: int) -> None:
    table = tables["soc_table.pdf"].tables[1]
    assert _cell(table, row, col) == (text, row_span, 1)


@pytest.mark.parametrize(("index", "covered"), [
    (0, [(2, 0), (3, 0), (5, 0)]),
    (1, [(2, 0), (2, 2)]),
])
def test_merged_value_is_kept_once(tables: dict[str, Document], index: int,
                                   covered: list[tuple[int, int]]) -> None:
    table = tables["soc_table.pdf"].tables[index]
    positions = {(c.row, c.col) for c in table.cells}
    assert not positions & set(covered)
    assert table.rows()[covered[0][0]][covered[0][1]] == ""


def test_soc_shapes_and_spans(tables: dict[str, Document]) -> None:
    doc = tables["soc_table.pdf"]
    assert [(t.n_rows, t.n_cols, t.header_rows) for t in doc.tables] == [(7, 4, 1), (4, 3, 1)]
    for table in doc.tables:
        for cell in table.cells:
            assert doc.text[cell.ref.start:cell.ref.end] == cell.text
            assert cell.ref.page == 1


@pytest.mark.parametrize(("index", "expected"), [
    (0, "表 1 主な副作用(架空)"),
    (1, "器官別大分類\t副作用\t全Grade n(%)\tGrade 3以上 n(%)"),
    (2, "血液およびリンパ系障害\t好中球減少症\t41 (45.6)\t30 (33.3)"),
    (3, "\t貧血\t20 (22.2)\t8 (8.9)"),  # the merged SOC leaves its column empty
    (4, "\t血小板減少症\t12 (13.3)\t5 (5.6)"),
    (5, "胃腸障害\t悪心\t12 (13.3)\t0"),
    (6, "\t下痢\t9 (10.0)\t1 (1.1)"),
    (7, "一般・全身障害\t発熱\t15 (16.7)\t"),
    (8, "副作用の発現状況は上表のとおりであった。"),
    (9, "表 2 CRSの管理(架空)"),
    (11, "Grade 1\t発熱\t解熱剤を投与する"),
    (12, "\t倦怠感\t"),
    (13, "Grade 2\t低血圧\tトシリズマブを投与する"),
])
def test_soc_text_lines(tables: dict[str, Document], index: int, expected: str) -> None:
    assert _lines(tables["soc_table.pdf"])[index] == expected


def test_fast_extraction_matches_pdfplumber_with_row_spans(make_pdfs: ModuleType, tmp_path: Path) -> None:
    import pdfplumber

    from extract.load.pdf_tables import RULED_TABLES, _extract_table

    path = make_pdfs.make_soc_table(tmp_path / "soc.pdf")
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        found = page.find_tables(RULED_TABLES)
        assert len(found) == 2
        for table in found:
            assert _extract_table(table, page.chars) == table.extract(keep_blank_chars=True)


# (row, col) -> (row_span, col_span) per row; None = covered. Expected piece columns per row.
_GRID = (
    ((1, 1), (1, 2), None, (1, 1)),
    ((2, 1), (1, 1), (2, 2), None),
    (None, (1, 1), None, None),
    (None, None, None, None),  # a row no cell starts in (holes only)
)


@pytest.mark.parametrize(("row", "expected"), [
    (0, [0, 1, 3]),   # the column span is one piece
    (1, [0, 1, 2]),
    (2, [0, 1, 2]),   # covered from above: an empty piece at each covering cell's first column
    (3, [0, 1, 2, 3]),  # nothing covers: every column a piece
])
def test_tab_columns(row: int, expected: list[int]) -> None:
    assert tab_columns(_GRID, row) == expected


# --------------------------------------------------------------------------- horizontal rules only

@pytest.mark.parametrize(("row", "col", "text"), [
    (0, 0, "検査項目"),
    (0, 1, "投与前(n=90)"),  # a two-line header between the first two rules: one header row
    (0, 2, "投与後(n=88)"),
    (0, 3, "変化量"),
    (1, 0, "好中球数 (/μL)"),
    (1, 1, "2,350"),
    (1, 3, "-530"),
    (2, 0, "ヘモグロビン (g/dL)"),
    (2, 2, "10.9"),
    (3, 0, "血小板数 (10^4/μL)"),
    (3, 3, "-6.2"),
    (4, 0, "AST (U/L)"),
    (4, 2, "31"),
    (4, 3, "7"),
])
def test_booktabs_cells(tables: dict[str, Document], row: int, col: int, text: str) -> None:
    doc = tables["booktabs_table.pdf"]
    table = doc.tables[0]
    assert (table.n_rows, table.n_cols, table.header_rows) == (5, 4, 1)
    assert _cell(table, row, col) == (text, 1, 1)
    cell = next(c for c in table.cells if (c.row, c.col) == (row, col))
    assert doc.text[cell.ref.start:cell.ref.end] == text


@pytest.mark.parametrize(("index", "expected"), [
    (0, "表 2 臨床検査値の推移(架空)"),
    (1, "検査項目\t投与前(n=90)\t投与後(n=88)\t変化量"),
    (2, "好中球数 (/μL)\t2,350\t1,820\t-530"),
    (5, "AST (U/L)\t24\t31\t7"),
    (6, "いずれの変化も臨床的に問題とならなかった。"),
])
def test_booktabs_text_lines(tables: dict[str, Document], index: int, expected: str) -> None:
    assert _lines(tables["booktabs_table.pdf"])[index] == expected


@pytest.mark.parametrize(("row", "col", "text", "col_span"), [
    (0, 0, "副作用", 1),
    (0, 1, "例数 (%) 安全性解析対象集団 (N=90)", 2),  # left-aligned with column 1, runs over column 2
    (1, 0, "", 1),
    (1, 1, "全Grade", 1),
    (1, 2, "Grade 3以上", 1),
    (2, 0, "好中球減少症", 1),
    (2, 2, "30 (33.3)", 1),
    (4, 1, "15 (16.7)", 1),
])
def test_booktabs_label_across_columns(tables: dict[str, Document], row: int, col: int, text: str,
                                       col_span: int) -> None:
    doc = tables["booktabs_table.pdf"]
    assert len(doc.tables) == 2  # the third table's centred label leaves its columns unsure: text
    table = doc.tables[1]
    assert (table.n_rows, table.n_cols, table.header_rows) == (5, 3, 2)
    assert _cell(table, row, col) == (text, 1, col_span)
    assert not any((c.row, c.col) == (0, 2) for c in table.cells)


@pytest.mark.parametrize(("index", "expected"), [
    (7, "表 3 主な副作用(架空)"),
    (8, "副作用\t例数 (%) 安全性解析対象集団 (N=90)"),
    (9, "\t全Grade\tGrade 3以上"),
    (10, "好中球減少症\t41 (45.6)\t30 (33.3)"),
    (13, "表 4 主な副作用(架空)"),
    (14, "副作用 例数 (%)"),  # the table left as text, printed spaces as single spaces
    (15, "全Grade Grade 3以上"),
    (16, "好中球減少症 41 (45.6) 30 (33.3)"),
])
def test_booktabs_tables_split_at_captions(tables: dict[str, Document], index: int, expected: str) -> None:
    assert _lines(tables["booktabs_table.pdf"])[index] == expected


# --------------------------------------------------------------------------- borderless

@pytest.mark.parametrize(("row", "col", "text"), [
    (0, 0, "投与群"),
    (0, 2, "奏効率 (%)"),
    (0, 3, "95%信頼区間"),
    (1, 0, "架空マブ群"),
    (1, 1, "90"),
    (1, 3, "35.0, 56.4"),
    (2, 2, "20.5"),
    (3, 0, "全体"),
    (3, 1, "178"),
    (3, 3, "26.3, 40.6"),
])
def test_borderless_cells(tables: dict[str, Document], row: int, col: int, text: str) -> None:
    (table,) = tables["borderless_table.pdf"].tables  # the uncaptioned list below is no table
    assert (table.n_rows, table.n_cols) == (4, 4)
    assert _cell(table, row, col) == (text, 1, 1)


@pytest.mark.parametrize(("index", "expected"), [
    (0, "主要評価項目の結果を表3に示す。"),
    (1, "表 3 奏効率(架空)"),
    (2, "投与群\t例数\t奏効率 (%)\t95%信頼区間"),
    (5, "全体\t178\t33.1\t26.3, 40.6"),
    (6, "架空マブ群の奏効率は対照群を上回った。"),
    (7, "製造販売元 架空製薬"),  # aligned lines without a caption stay text
    (9, "提携 架空社"),
])
def test_borderless_text_lines(tables: dict[str, Document], index: int, expected: str) -> None:
    assert _lines(tables["borderless_table.pdf"])[index] == expected


@pytest.mark.parametrize("text", [
    # Columns aligned with printed spaces under a caption: typed text, not a table.
    "表 4 架空の用量\n投与群        例数    用量\n架空マブ群    90      25 mg\n対照群        88      0 mg\n",
    # A caption over a paragraph.
    "表 5 架空\n本剤の投与により好中球数の減少が認められた。\n患者の状態を十分に観察すること。\n以上\n",
])
def test_typed_text_under_a_caption_stays_text(text: str, make_pdfs: ModuleType, tmp_path: Path) -> None:
    doc = load_document(make_pdfs.render_text(text, tmp_path / "t.pdf"))
    assert doc.tables == ()
    assert "\t" not in doc.text


# --------------------------------------------------------------------------- no new tables

def test_renditions_have_no_unruled_tables(pdf_renditions: dict[str, Path]) -> None:
    """The text documents' renditions (samples and seeds: captions over space-aligned lines,
    ruled tables) give no table to the booktabs or borderless search."""
    import pdfplumber

    from extract.load.pdf_tables import RULED_TABLES, unruled_tables

    for name, path in pdf_renditions.items():
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                ruled = [tuple(t.bbox) for t in page.find_tables(RULED_TABLES)] if page.edges else []
                assert unruled_tables(page, ruled) == [], (name, page.page_number)
                page.close()


def test_caption_in_a_column_opens_no_table(make_pdfs: ModuleType, tmp_path: Path) -> None:
    """A ``表 N`` caption at the top of the left column of a two-column page: the lines under it
    share the page's gutter with the right column's text, but they are prose, not a table."""
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "columns.pdf"
    canvas = Canvas(str(path), pagesize=make_pdfs.A4, invariant=1)
    make_pdfs.fonts()
    left = ["表 4 架空の一覧", "本剤の投与中は定期的に", "血液検査を行い患者の状", "態を十分に観察すること", "異常が認められた場合は"]
    right = ["投与を中止するなど適切", "な処置を行うこと。また", "感染症の発現に注意する", "こと。本剤の投与により", "発熱が認められている。"]
    top = make_pdfs.A4[1] - 2 * make_pdfs.MARGIN
    for k, (a, b) in enumerate(zip(left, right)):
        make_pdfs._draw(canvas, make_pdfs.MARGIN, top - k * make_pdfs.LEADING, a, 100.0)
        make_pdfs._draw(canvas, 300, top - k * make_pdfs.LEADING, b, 100.0)
    canvas.showPage()
    canvas.save()
    doc = load_document(path)
    assert doc.tables == ()
    assert "\t" not in doc.text


def test_rules_around_prose_make_no_table(make_pdfs: ModuleType, tmp_path: Path) -> None:
    """Three full-width rules (section dividers) around a heading and a paragraph: the region
    has one column of text, so it stays text."""
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "dividers.pdf"
    canvas = Canvas(str(path), pagesize=make_pdfs.A4, invariant=1)
    make_pdfs.fonts()
    left, right = make_pdfs.MARGIN, make_pdfs.A4[0] - make_pdfs.MARGIN
    y = make_pdfs.A4[1] - 2 * make_pdfs.MARGIN
    lines = ["本剤の投与中は定期的に血液検査を行い、患者の状態を十分に観察すること。",
             "異常が認められた場合には投与を中止するなど適切な処置を行うこと。",
             "また、感染症の発現に注意すること。"]
    canvas.line(left, y + 12, right, y + 12)
    make_pdfs._draw(canvas, left, y, "8. 重要な基本的注意", 100.0)
    canvas.line(left, y - 6, right, y - 6)
    for k, line in enumerate(lines, start=1):
        make_pdfs._draw(canvas, left, y - 6 - k * make_pdfs.LEADING, line, 100.0)
    canvas.line(left, y - 12 - len(lines) * make_pdfs.LEADING, right, y - 12 - len(lines) * make_pdfs.LEADING)
    canvas.showPage()
    canvas.save()
    doc = load_document(path)
    assert doc.tables == ()
    assert [ln for ln in doc.text.split("\n") if ln.strip()] == ["8. 重要な基本的注意", *lines]


# --------------------------------------------------------------------------- booktabs renditions

def _tabled_sources() -> list[Path]:
    """The samples and seeds whose text has tables (the seeds only when present)."""
    paths = sorted(SAMPLES.glob("*.txt")) + (sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else [])
    return [p for p in paths if load_document(p).tables]


def _is_toc(rows: list[list[str]]) -> bool:
    """A table of contents (``1.\\tはじめに\\t2``): the text loader does not count it as a table."""
    return all(re.fullmatch(r"\d+\.", r[0]) and r[-1].isdigit() for r in rows)


def _in_order(rows: list[list[str]], within: list[list[str]]) -> bool:
    it = iter(within)
    return all(any(row == other for other in it) for row in rows)


@pytest.mark.parametrize("src", _tabled_sources(), ids=lambda p: p.name)
def test_booktabs_rendition_tables_are_the_texts(src: Path, make_pdfs: ModuleType, tmp_path: Path) -> None:
    """The document drawn with booktabs tables (rules above and below the first row and at the
    end, no vertical rule): every table read from the PDF is one of the text's tables (its rows,
    in order; a table split by the text's pages comes back whole), never a wrong one, each cell's
    span holding its text; and most of the text's tables come back (the rest stay text: a table
    of two rows, cells that wrap across columns)."""
    text_tables = [t.rows() for t in load_document(src).tables]
    doc = load_document(make_pdfs.render_booktabs(src, tmp_path))
    pdf_tables = [t.rows() for t in doc.tables if not _is_toc(t.rows())]
    assert pdf_tables
    text_rows = [row for rows in text_tables for row in rows]
    for rows in pdf_tables:
        assert all(row in text_rows for row in rows), rows[:3]
    found = [rows for rows in text_tables if any(_in_order(rows[1:], p) for p in pdf_tables)]
    assert len(found) >= 0.75 * len(text_tables)
    for table in doc.tables:
        for cell in table.cells:
            assert doc.text[cell.ref.start:cell.ref.end] == cell.text


@pytest.mark.parametrize("src", _tabled_sources(), ids=lambda p: p.name)
def test_borderless_rendition_tables_are_the_texts(src: Path, make_pdfs: ModuleType, tmp_path: Path) -> None:
    """The document drawn with tables without any rule: a table is read only under its caption
    when its whole extent is sure, and then it is exactly one of the text's tables (a table
    with a cell spanning two columns, a caption not followed by the table, stay text)."""
    text_tables = [t.rows() for t in load_document(src).tables]
    doc = load_document(make_pdfs.render_booktabs(src, tmp_path, borderless=True))
    assert doc.tables
    for table in doc.tables:
        assert table.rows() in text_tables
        for cell in table.cells:
            assert doc.text[cell.ref.start:cell.ref.end] == cell.text


def test_booktabs_rendition_gives_the_guidelines_facts(make_pdfs: ModuleType, tmp_path: Path) -> None:
    """The fictional guideline sample with booktabs tables: its extractor reads as many facts
    of every type from the PDF as from the text (efficacy, adverse-event and criteria tables)."""
    from collections import Counter

    from extract.classify import classify
    from extract.extractors import get_extractor

    src = SAMPLES / "guideline_ja.txt"
    if not src.is_file():
        pytest.skip("corpus/samples/guideline_ja.txt is absent")
    text = load_document(src)
    extract = get_extractor(classify(text).doc_type)
    pdf = load_document(make_pdfs.render_booktabs(src, tmp_path))
    expected = Counter(type(f).__name__ for f in extract(text).facts)
    assert expected["AdverseEventIncidence"] and expected["EfficacyResult"]
    assert Counter(type(f).__name__ for f in extract(pdf).facts) == expected
