"""A ruled table that runs onto the next page is one ``Table`` (layout.merge_continued_tables).

The PDFs are fictional and drawn here with reportlab: a caption, a ruled table that ends at
the page's foot, a page number, and on the next page the table's continuation (with or
without its header row repeated). Values are the ones drawn below.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import pytest

from extract.load import load_document
from extract.model import Document, Table

if TYPE_CHECKING:
    from extract.load.layout import RawPage

HEADER = ("副作用", "全Grade n(%)", "Grade 3以上 n(%)")
PAGE1_ROWS = (("好中球減少症", "41 (45.6)", "30 (33.3)"), ("貧血", "20 (22.2)", "8 (8.9)"),
              ("発熱", "15 (16.7)", "1 (1.1)"))
PAGE2_ROWS = (("悪心", "12 (13.3)", "0"), ("発疹", "9 (10.0)", "2 (2.2)"))
COL_X = (60.0, 220.0, 360.0, 520.0)
ROW_H = 22.0
FONT_PATHS = ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
              "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf")


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_PATHS:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont("IPAexG", path))
            return "IPAexG"
    pytest.skip("IPAex Gothic font (fonts-ipaexfont-gothic) not installed")


def _grid(c: object, top: float, rows: Sequence[Sequence[str]], font: str) -> float:
    """A fully ruled table with its top edge at ``top``; returns its bottom edge."""
    col_x = COL_X[:len(rows[0]) + 1]
    bottom = top - ROW_H * len(rows)
    for k in range(len(rows) + 1):
        c.line(col_x[0], top - k * ROW_H, col_x[-1], top - k * ROW_H)  # type: ignore[attr-defined]
    for x in col_x:
        c.line(x, top, x, bottom)  # type: ignore[attr-defined]
    c.setFont(font, 10)  # type: ignore[attr-defined]
    for r, row in enumerate(rows):
        for col, value in enumerate(row):
            c.drawString(col_x[col] + 4, top - r * ROW_H - 15, value)  # type: ignore[attr-defined]
    return bottom


def _pdf(path: Path, *, repeat_header: bool, second_caption: str = "",
         second_header: Sequence[str] | None = None, first_cols: int = 3) -> Path:
    """Page 1: heading, body line, caption, table to the foot, page number; page 2: optional
    caption, the continuation (header repeated or not), a closing paragraph, page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _font()
    c = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    c.setFont(font, 11)
    c.drawString(60, height - 60, "7. 臨床成績")
    c.drawString(60, height - 82, "国内第II相試験における主な副作用を以下に示す。")
    c.drawString(60, height - 104, "表 3 主な副作用")
    _grid(c, height - 114, [row[:first_cols] for row in (HEADER, *PAGE1_ROWS)], font)
    c.setFont(font, 9)
    c.drawString(290, 30, "1")
    c.showPage()
    top = height - 60
    if second_caption:
        c.setFont(font, 11)
        c.drawString(60, top, second_caption)
        top -= 10
    rows = ([second_header or HEADER] if repeat_header else []) + list(PAGE2_ROWS)
    bottom = _grid(c, top, rows, font)
    c.setFont(font, 11)
    c.drawString(60, bottom - 30, "いずれの事象も回復が認められた。")
    c.setFont(font, 9)
    c.drawString(290, 30, "2")
    c.showPage()
    c.save()
    return path


def _tables(doc: Document) -> list[Table]:
    return [t for t in doc.tables if t.n_cols == 3]


@pytest.mark.parametrize("repeat_header", [True, False], ids=["repeated-header", "no-header"])
def test_continued_table_is_one_table(tmp_path: Path, repeat_header: bool) -> None:
    pytest.importorskip("reportlab")
    doc = load_document(_pdf(tmp_path / "t.pdf", repeat_header=repeat_header))
    [table] = _tables(doc)
    assert table.pages == (1, 2)
    assert table.header_rows == 1
    assert table.n_rows == 1 + len(PAGE1_ROWS) + len(PAGE2_ROWS)
    assert [[v.replace(" ", "") for v in row] for row in table.rows()] == \
        [[v.replace(" ", "") for v in row] for row in (HEADER, *PAGE1_ROWS, *PAGE2_ROWS)]


@pytest.mark.parametrize("row, col, value, page", [
    (0, 0, "副作用", 1),
    (1, 1, "41 (45.6)", 1),
    (3, 2, "1 (1.1)", 1),
    (4, 0, "悪心", 2),
    (5, 1, "9 (10.0)", 2),
    (5, 2, "2 (2.2)", 2),
])
@pytest.mark.parametrize("repeat_header", [True, False], ids=["repeated-header", "no-header"])
def test_each_cell_keeps_its_own_page_and_span(tmp_path: Path, repeat_header: bool, row: int, col: int,
                                               value: str, page: int) -> None:
    pytest.importorskip("reportlab")
    doc = load_document(_pdf(tmp_path / "t.pdf", repeat_header=repeat_header))
    [table] = _tables(doc)
    [cell] = [c for c in table.cells if (c.row, c.col) == (row, col)]
    assert cell.text == value
    assert cell.ref.page == page
    assert doc.text[cell.ref.start:cell.ref.end] == value


def test_repeated_header_is_dropped_once(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    doc = load_document(_pdf(tmp_path / "t.pdf", repeat_header=True))
    [table] = _tables(doc)
    assert [c.text for c in table.cells if c.text == "副作用"] == ["副作用"]


@pytest.mark.parametrize("kwargs", [
    {"repeat_header": True, "second_caption": "表 4 臨床検査値異常"},
    {"repeat_header": True, "second_header": ("臨床検査値", "全Grade n(%)", "Grade 3以上 n(%)"),
     "second_caption": "表 4 臨床検査値異常"},
    {"repeat_header": False, "first_cols": 2},
], ids=["caption-before-second", "other-header-with-caption", "different-column-count"])
def test_separate_tables_stay_apart(tmp_path: Path, kwargs: dict[str, object]) -> None:
    pytest.importorskip("reportlab")
    doc = load_document(_pdf(tmp_path / "t.pdf", **kwargs))  # type: ignore[arg-type]
    assert len(doc.tables) == 2
    assert [t.pages for t in doc.tables] == [(1,), (2,)]


def _raw_page(number: int, lines: Sequence[str]) -> "RawPage":
    """A page whose tab-separated lines are one table (first_line: the first such line)."""
    from extract.load.layout import RawPage, RawTable

    tab = [i for i, ln in enumerate(lines) if "\t" in ln]
    if not tab:
        return RawPage(number, tuple(lines))
    rows = tuple(tuple(lines[i].split("\t")) for i in tab)
    return RawPage(number, tuple(lines), (RawTable(rows, number, header_rows=1, first_line=tab[0]),))


def test_table_over_three_pages_with_running_header() -> None:
    """A running header line (furniture: the same line at the top of every page) and page
    numbers do not stop a table from continuing; three pages give one table."""
    from extract.load.layout import build_document

    head = "Drug X Review Report"
    pages = [
        _raw_page(1, [head, "Table 5. Adverse events", "Event\tn (%)", "Nausea\t12 (13.3)", "", "1"]),
        _raw_page(2, [head, "Event\tn (%)", "Rash\t9 (10.0)", "Fatigue\t7 (7.8)", "2"]),
        _raw_page(3, [head, "Pyrexia\t5 (5.6)", "", "All events resolved.", "3"]),
        _raw_page(4, [head, "Conclusions follow.", "4"]),
    ]
    doc = build_document(data=b"fictional", path="x.pdf", source_format="pdf", shape="pdf", pages=pages)
    [table] = doc.tables
    assert table.pages == (1, 2, 3)
    assert table.rows() == [["Event", "n (%)"], ["Nausea", "12 (13.3)"], ["Rash", "9 (10.0)"],
                            ["Fatigue", "7 (7.8)"], ["Pyrexia", "5 (5.6)"]]
    assert [c.ref.page for c in table.cells if c.col == 0] == [1, 1, 2, 2, 3]
    assert table.ref.page == 1


@pytest.mark.parametrize("page1_tail", [
    ["Nausea\t12 (13.3)", "Note: events by MedDRA PT."],
    ["Nausea\t12 (13.3)", "", "Table 6. Laboratory"],
], ids=["footnote-after-table", "caption-after-table"])
def test_text_after_a_table_ends_it(page1_tail: list[str]) -> None:
    from extract.load.layout import build_document

    pages = [_raw_page(1, ["Event\tn (%)", *page1_tail]), _raw_page(2, ["Rash\t9 (10.0)"])]
    doc = build_document(data=b"fictional", path="x.pdf", source_format="pdf", shape="pdf", pages=pages)
    assert [t.pages for t in doc.tables] == [(1,), (2,)]


def test_row_spans_survive_the_join() -> None:
    """Spans measured by the PDF loader (a SOC merged over its PT rows) are kept when the table
    continues on the next page; the rows under a merged value hold an empty piece in the text."""
    from extract.load.layout import RawPage, RawTable, build_document

    one, two = (1, 1), (2, 1)
    page1 = ["表 3 副作用", "SOC\tPT\tn (%)", "血液障害\t貧血\t20 (22.2)", "\t好中球減少症\t41 (45.6)", "1"]
    page2 = ["SOC\tPT\tn (%)", "胃腸障害\t悪心\t12 (13.3)", "\t下痢\t9 (10.0)", "2"]
    raw1 = RawTable((("SOC", "PT", "n (%)"), ("血液障害", "貧血", "20 (22.2)"), (None, "好中球減少症", "41 (45.6)")),
                    1, header_rows=1, first_line=1, spans=((one, one, one), (two, one, one), (None, one, one)))
    raw2 = RawTable((("SOC", "PT", "n (%)"), ("胃腸障害", "悪心", "12 (13.3)"), (None, "下痢", "9 (10.0)")),
                    2, header_rows=1, first_line=0, spans=((one, one, one), (two, one, one), (None, one, one)))
    pages = [RawPage(1, tuple(page1), (raw1,)), RawPage(2, tuple(page2), (raw2,))]
    doc = build_document(data=b"fictional", path="x.pdf", source_format="pdf", shape="pdf", pages=pages)
    [table] = doc.tables
    assert table.pages == (1, 2)
    assert [(c.row, c.col, c.text, c.row_span) for c in table.cells if c.col == 0] == \
        [(0, 0, "SOC", 1), (1, 0, "血液障害", 2), (3, 0, "胃腸障害", 2)]
    assert [(c.row, c.text, c.ref.page) for c in table.cells if c.col == 1] == \
        [(0, "PT", 1), (1, "貧血", 1), (2, "好中球減少症", 1), (3, "悪心", 2), (4, "下痢", 2)]
    for cell in table.cells:
        assert doc.text[cell.ref.start:cell.ref.end] == cell.text
