"""Page layouts in the PDF loader, on generated fictional PDFs: two columns read column by
column, a three-column RMP-like ruled table, running headers/footers/page numbers removed,
tategaki read from the right; and the furniture and column rules on hand-made geometry."""

from __future__ import annotations

from types import ModuleType

import pytest

from extract.load import load_document
from extract.load.pdf_layout import (band_regions, classify_furniture, find_bands, find_furniture, footnote_items,
                                     furniture_lines, small_type, word_boxes)
from extract.model import Document


@pytest.fixture(scope="module")
def layouts(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    paths = make_pdfs.make_layouts(tmp_path_factory.mktemp("layouts"))
    return {name: load_document(path) for name, path in paths.items()}


def _lines(doc: Document) -> list[str]:
    return [line for line in doc.text.split("\n") if line.strip()]


TWO_COLUMN_LINES = [
    "架空錠25mg 添付文書(架空)",
    "【警告】",
    "本剤は、緊急時に十分対応できる医療施設において、",
    "造血器悪性腫瘍の治療に十分な知識と経験を持つ医師",
    "のもとで、本剤の投与が適切と判断される患者にのみ",
    "投与すること。",
    "【禁忌(次の患者には投与しないこと)】",
    "本剤の成分に対し過敏症の既往歴のある患者、妊婦又",
    "は妊娠している可能性のある女性。",
    "【効能又は効果】",
    "再発又は難治性の架空リンパ腫、及び架空骨髄腫の維",
    "持療法(自家移植後の患者に限る)。",
    "【用法及び用量】",
    "通常、成人には架空マブとして1日1回25mgを2",
    "1日間連日経口投与した後、7日間休薬する。これを",
    "1サイクルとして投与を繰り返す。",
    "- 1 -",  # one page only: a page number is furniture only when it repeats
]


@pytest.mark.parametrize(("index", "expected"), list(enumerate(TWO_COLUMN_LINES)))
def test_two_columns_read_left_column_first(layouts: dict[str, Document], index: int,
                                            expected: str) -> None:
    assert _lines(layouts["two_column.pdf"])[index] == expected


def test_two_columns_page_is_marked(layouts: dict[str, Document]) -> None:
    doc = layouts["two_column.pdf"]
    assert len(_lines(doc)) == len(TWO_COLUMN_LINES)
    assert [(p.status, p.reason) for p in doc.pages] == [("ok", "two columns: read column by column")]


THREE_COLUMN_LINES = [
    "架空製薬 安全性速報 第12号(架空)",
    "【新しい副作用】",  # left column, top to bottom
    "架空錠25mgの投与例で間質性肺疾",
    "患が3例報告された。咳嗽、呼吸困難",
    "又は発熱があらわれた場合には直ちに",
    "投与を中止し、胸部X線検査を行うこ",
    "と。",
    "【用量の変更】",  # then the middle column
    "腎機能障害患者では1日1回15mg",
    "に減量する。クレアチニンクリアラン",
    "スが30mL/min未満の患者には",
    "投与しないこと。詳細は添付文書を参",
    "照のこと。",
    "【お問い合わせ】",  # then the right column
    "架空製薬株式会社くすり相談窓口まで",
    "。受付時間は平日9時から17時まで",
    "、土日祝日及び当社休業日を除く。電",
    "話番号は添付文書に記載している。",
]


@pytest.mark.parametrize(("index", "expected"), list(enumerate(THREE_COLUMN_LINES)))
def test_three_columns_read_column_by_column(layouts: dict[str, Document], index: int,
                                             expected: str) -> None:
    assert _lines(layouts["three_column.pdf"])[index] == expected


def test_three_columns_page_is_marked(layouts: dict[str, Document]) -> None:
    doc = layouts["three_column.pdf"]
    assert len(_lines(doc)) == len(THREE_COLUMN_LINES)
    assert [p.reason for p in doc.pages] == ["three columns: read column by column"]
    # the columns are blocks of their own: each bracketed heading opens one
    assert "【用量の変更】" in doc.text.split("\n\n")[2]


@pytest.mark.parametrize(("index", "expected"), [
    (0, "架空錠25mg 添付文書(架空)"),
    (4, "*1のもとで、本剤の投与が適切と判断される患者に"),  # the left column first
    (9, "【効能又は効果】"),  # then the right column
    (14, "1日間連日経口投与した後、7日間休薬*2する。こ"),
    (16, "*1 架空の専門医制度に基づく専門医をいう。この注記は二つの段の下に、紙面の幅いっぱいに印刷されている。"),
    (17, "*2 食事の影響は検討されていない。"),  # a short note under the full-width one
    (18, "- 1 -"),
])
def test_two_columns_with_notes_under_them(layouts: dict[str, Document], index: int, expected: str) -> None:
    doc = layouts["two_column_notes.pdf"]
    assert _lines(doc)[index] == expected
    assert doc.pages[0].reason == "two columns: read column by column"


@pytest.mark.parametrize(("marker", "before_marker"), [("*1", "医師\n"), ("*2", "7日間休薬")])
def test_notes_under_columns_are_linked(layouts: dict[str, Document], marker: str, before_marker: str) -> None:
    doc = layouts["two_column_notes.pdf"]
    (note,) = [f for f in doc.footnotes if f.marker == marker]
    (offset,) = note.ref_offsets
    assert doc.text[offset - len(before_marker):offset + len(marker)] == before_marker + marker


@pytest.mark.parametrize(("marker", "before_marker", "note"), [
    ("*1", "医師\n", "*1 架空の専門医制度に基づく専門医をいう。この注記は左\nの段の下にある。"),
    ("*2", "7日間休薬", "*2 食事の影響は検討されていない。"),
])
def test_notes_at_the_foot_of_each_column(layouts: dict[str, Document], marker: str,
                                          before_marker: str, note: str) -> None:
    """Each column's own note (small type at its foot), the left one mid-way through the
    page's reading order, is a footnote linked to the marker in its column."""
    doc = layouts["column_notes.pdf"]
    assert doc.pages[0].reason == "two columns: read column by column"
    (found,) = [f for f in doc.footnotes if f.marker == marker]
    assert doc.text[found.text_start:found.text_end] == note
    (offset,) = found.ref_offsets
    assert doc.text[offset - len(before_marker):offset + len(marker)] == before_marker + marker


@pytest.mark.parametrize(("row", "col", "text"), [
    (0, 0, "【重要な特定されたリスク】"),
    (0, 1, "【重要な潜在的リスク】"),
    (0, 2, "【重要な不足情報】"),
    (1, 0, "骨髄抑制"),
    (1, 1, "間質性肺疾患"),
    (1, 2, "腎機能障害患者への投与時の安全性"),  # two printed lines, no space inserted
    (2, 0, "重篤な皮膚障害(中毒性表皮壊死融解症)"),
    (2, 1, "心臓障害"),
    (2, 2, "なし"),
    (3, 0, "感染症"),
    (3, 1, "二次性悪性腫瘍"),
    (3, 2, ""),
])
def test_rmp_table_cells(layouts: dict[str, Document], row: int, col: int, text: str) -> None:
    (table,) = layouts["rmp_table.pdf"].tables
    assert (table.n_rows, table.n_cols, table.header_rows) == (4, 3, 1)
    assert table.rows()[row][col] == text


@pytest.mark.parametrize(("index", "expected"), [
    (0, "1.1 安全性検討事項(架空)"),
    (1, "【重要な特定されたリスク】\t【重要な潜在的リスク】\t【重要な不足情報】"),
    (2, "骨髄抑制\t間質性肺疾患\t腎機能障害患者への投与時の安全性"),
    (3, "重篤な皮膚障害(中毒性表皮壊死融解症)\t心臓障害\tなし"),
    (4, "感染症\t二次性悪性腫瘍\t"),
    (5, "以上"),
])
def test_rmp_table_text_is_row_by_row(layouts: dict[str, Document], index: int, expected: str) -> None:
    assert _lines(layouts["rmp_table.pdf"])[index] == expected


def test_running_header_footer_and_page_numbers_are_removed(layouts: dict[str, Document]) -> None:
    doc = layouts["furniture.pdf"]
    pages = [doc.text[p.start:p.end].split("\n") for p in doc.pages]
    assert [[ln for ln in page if ln.strip()] for page in pages] == [
        ["1. 起原又は発見の経緯", "本剤は架空の抗体である。"],
        ["2. 品質に関する資料", "本剤の規格は適切である。"],
        ["3. 非臨床試験に関する資料", "毒性試験の結果は既知の所見と同様であった。"],
    ]
    assert "Confidential" not in doc.text and "審査報告書" not in doc.text


@pytest.mark.parametrize(("page", "recorded"), [
    (1, [("header", "架空マブ 審査報告書"), ("confidential", "Confidential"),
         ("footer", "架空製薬株式会社"), ("page-number", "- 1 -")]),
    (2, [("header", "架空マブ 審査報告書"), ("confidential", "Confidential"),
         ("footer", "架空製薬株式会社"), ("page-number", "2 / 3")]),
    (3, [("header", "架空マブ 審査報告書"), ("confidential", "Confidential"),
         ("footer", "架空製薬株式会社"), ("page-number", "3")]),
])
def test_removed_furniture_is_recorded(layouts: dict[str, Document], page: int,
                                       recorded: list[tuple[str, str]]) -> None:
    doc = layouts["furniture.pdf"]
    assert [(f.kind, f.text) for f in doc.furniture if f.page == page] == recorded


def test_no_furniture_recorded_when_none_removed(layouts: dict[str, Document]) -> None:
    assert layouts["rmp_table.pdf"].furniture == ()
    assert layouts["two_column.pdf"].furniture == ()  # a lone "- 1 -" stays in the text


def test_vertical_text_is_read_from_the_right(layouts: dict[str, Document]) -> None:
    doc = layouts["vertical.pdf"]
    assert _lines(doc) == ["架空錠の使用上の注意", "本剤は食後に服用すること", "眠気に注意すること"]
    assert doc.pages[0].reason == "vertical text (tategaki): read column by column from the right"


@pytest.mark.parametrize(("page", "marker", "note", "before_marker"), [
    (1, "1)", "1) 用量制限毒性の発現が6例中1例以下となる最高用量。", "(MTD)"),
    (1, "2)", "2) 食後投与での成績は得られておらず、空腹時投与の成績に基づく用量であり、\n"
              "   本剤の用量設定の根拠とされた。", "25 mg"),  # the wrapped line belongs to note 2)
    (1, "*1", "*1 前治療歴が2レジメン以上の患者に限る。", "リンパ腫患者"),
    (2, "a)", "a) Assessed by the independent review committee.", "45.6%"),
    (2, "*2", "*2 Only patients enrolled in Japan.", "KASO-002"),
    # page 4: notes under a ruled table, pointed to from its cells and its caption
    (4, "a)", "a) 重篤な事象を含む。", "発熱"),
    (4, "b)", "b) 因果関係が否定できない事象。", "好中球減少症"),
    (4, "*3", "*3 日本人患者のみ。", "有害事象"),
])
def test_footnotes_in_small_type_are_linked_to_their_markers(
        layouts: dict[str, Document], page: int, marker: str, note: str, before_marker: str) -> None:
    doc = layouts["footnotes.pdf"]
    (footnote,) = [f for f in doc.footnotes if f.page == page and f.marker == marker]
    assert doc.text[footnote.text_start:footnote.text_end] == note
    (offset,) = footnote.ref_offsets
    assert doc.text[offset - len(before_marker):offset + len(marker)] == before_marker + marker
    assert doc.page_at(offset) == page
    assert doc.footnote_marker_at(offset) == footnote
    assert doc.footnote_at(footnote.text_start) == footnote and doc.footnote_at(offset) is None


def test_footnotes_only_where_printed_small_at_the_foot(layouts: dict[str, Document]) -> None:
    doc = layouts["footnotes.pdf"]
    # page 3 ends with a numbered list in body type and holds a small caption: no footnotes;
    # "(N=21)" on page 1 does not point to note 1)
    assert [(f.page, f.marker) for f in doc.footnotes] == [
        (1, "1)"), (1, "2)"), (1, "*1"), (2, "a)"), (2, "*2"), (4, "a)"), (4, "b)"), (4, "*3")]
    assert "1) 通常用量は25 mgとする。" in doc.text and "図1 架空の図" in doc.text
    assert [f.text for f in doc.furniture] == ["- 1 -", "- 2 -", "- 3 -", "- 4 -"]  # under the notes


def test_a_table_cell_marker_points_to_its_note(layouts: dict[str, Document]) -> None:
    doc = layouts["footnotes.pdf"]
    (table,) = doc.tables
    cell = next(c for c in table.cells if c.text == "発熱a)")
    note = doc.footnote_marker_at(cell.ref.end - 2)
    assert note is not None and doc.text[note.text_start:note.text_end] == "a) 重篤な事象を含む。"


def test_footnotes_become_footnote_blocks(layouts: dict[str, Document]) -> None:
    doc = layouts["footnotes.pdf"]
    assert [b.text for b in doc.blocks if b.kind == "footnote"] == [
        "1) 用量制限毒性の発現が6例中1例以下となる最高用量。",
        "2) 食後投与での成績は得られておらず、空腹時投与の成績に基づく用量であり、本剤の用量設定の根拠とされた。",
        "*1 前治療歴が2レジメン以上の患者に限る。",
        "a) Assessed by the independent review committee.",
        "*2 Only patients enrolled in Japan.",
        "a) 重篤な事象を含む。",
        "b) 因果関係が否定できない事象。",
        "*3 日本人患者のみ。",
    ]


BODY_LINE, NOTE_1, NOTE_2, WRAPPED, PAGE_NO = ((100.0, "本文"), (700.0, "1) 注記"), (710.0, "*1 注記"),
                                               (720.0, "続き"), (780.0, "- 1 -"))


@pytest.mark.parametrize(("order", "small", "notes"), [
    # the small lines ending the page, from the first marker; a page number under them is skipped
    ([BODY_LINE, NOTE_1, NOTE_2, WRAPPED, PAGE_NO], [NOTE_1, NOTE_2, WRAPPED], [NOTE_1, NOTE_2, WRAPPED]),
    ([BODY_LINE, WRAPPED, NOTE_1], [WRAPPED, NOTE_1], [NOTE_1]),
    # a small line followed by body text is not at the foot of the page
    ([NOTE_1, BODY_LINE], [NOTE_1], []),
    # no marker opens the small run; or nothing is larger (no body to set notes apart from)
    ([BODY_LINE, WRAPPED], [WRAPPED], []),
    ([NOTE_1, NOTE_2], [NOTE_1, NOTE_2], []),
])
def test_footnote_items(order: list[tuple[float, str]], small: list[tuple[float, str]],
                        notes: list[tuple[float, str]]) -> None:
    assert footnote_items(order, frozenset(id(item) for item in small)) == notes


def test_small_type_is_relative_to_the_page_body() -> None:
    items = [(float(k), f"line {k}") for k in range(5)]
    assert small_type(items, [10.0, 10.0, 10.0, 9.0, 9.5]) == frozenset({id(items[3])})
    assert small_type(items, [8.0] * 5) == frozenset()
    # a page of table notes under a table: the document's body size sets them apart
    assert small_type(items, [10.0, 8.0, 8.0, 8.0, 8.0], document_body=10.0) == frozenset(
        id(item) for item in items[1:])


# Hand-made pages of (top, text) on a 800 pt page.
HEADER, BODY, FOOTER = 20.0, 300.0, 780.0


@pytest.mark.parametrize(("pages", "expected"), [
    # running header (digits ignored) and "- n -" page numbers on three pages
    ([[(HEADER, "Report 2024"), (BODY, "text a"), (FOOTER, "- 1 -")],
      [(HEADER, "Report 2024"), (BODY, "text b"), (FOOTER, "- 2 -")],
      [(HEADER, "Report 2025"), (BODY, "text c"), (FOOTER, "- 3 -")]],
     [["Report 2024", "- 1 -"], ["Report 2024", "- 2 -"], ["Report 2025", "- 3 -"]]),
    # "n / N" numbers offset by a cover page; a 社外秘 mark on one page only
    ([[(HEADER, "社外秘"), (BODY, "cover")],
      [(BODY, "body"), (FOOTER, "1 / 2")],
      [(BODY, "body"), (FOOTER, "2 / 2")]],
     [["社外秘"], ["1 / 2"], ["2 / 2"]]),
    # numbers in the body, or not rising with the pages, stay
    ([[(BODY, "3"), (FOOTER, "7")], [(BODY, "4"), (FOOTER, "5")]],
     [[], []]),
    # one page: a lone number is not known to be a page number
    ([[(BODY, "text"), (FOOTER, "1")]], [[]]),
])
def test_furniture_lines(pages: list[list[tuple[float, str]]], expected: list[list[str]]) -> None:
    assert furniture_lines(pages, [800.0] * len(pages)) == expected


def test_furniture_indices_are_per_page() -> None:
    pages = [[(HEADER, "Header"), (BODY, "x")], [(HEADER, "Header"), (BODY, "y")]]
    assert find_furniture(pages, [800.0, 800.0]) == [{0}, {0}]


def test_furniture_kinds() -> None:
    pages = [[(HEADER, "社外秘"), (HEADER + 12, "Report"), (BODY, "x"), (FOOTER, "Page 1 of 2")],
             [(HEADER, "社外秘"), (HEADER + 12, "Report"), (BODY, "y"), (FOOTER - 12, "ACME"),
              (FOOTER, "Page 2 of 2")]]
    assert classify_furniture(pages, [800.0, 800.0]) == [
        {0: "confidential", 1: "header", 3: "footer"},
        {0: "confidential", 1: "header", 4: "footer"},  # "ACME" is on one page only
    ]


def _column_words(left_ends: list[float], right_x0: float = 310.0) -> list[tuple[float, float, float, float]]:
    words = []
    for i, end in enumerate(left_ends):
        top = 100.0 + 14 * i
        words.append((40.0, top, end, top + 9))
        words.append((right_x0, top, 555.0, top + 9))
    return words


def _three_column_words(ends: tuple[float, float] = (190.0, 375.0)) -> list[tuple[float, float, float, float]]:
    """A full-width title over six lines in three columns (40-190, 205-375, 390-555)."""
    words = [(40.0, 80.0, 555.0, 89.0)]
    for i in range(6):
        top = 100.0 + 14 * i
        words += [(40.0, top, ends[0], top + 9), (205.0, top, ends[1], top + 9), (390.0, top, 555.0, top + 9)]
    return words


def _unruled_table_words() -> list[tuple[float, float, float, float]]:
    """A table printed without rules: a name column and three narrow number columns."""
    words = []
    for i in range(8):
        top = 100.0 + 14 * i
        words += [(40.0, top, 120.0 + 10 * (i % 3), top + 9), (300.0, top, 340.0, top + 9),
                  (400.0, top, 440.0, top + 9), (515.0, top, 555.0, top + 9)]
    return words


INF = float("inf")


@pytest.mark.parametrize(("words", "blocks", "bands"), [
    # wrapped text in two columns: split in the gutter from the page's top
    (_column_words([285.0] * 6), [], [(-INF, (298.0,))]),
    # three columns under a full-width title: a full-width band, then two splits
    (_three_column_words(), [], [(-INF, ()), (100.0, (198.0, 383.0))]),
    # the middle column's lines never reach its gutter (labels): not three columns; the
    # clear gutter before the third column still makes two, each line of the left one whole
    (_three_column_words((190.0, 260.0)), [], [(-INF, ()), (100.0, (322.0,))]),
    # an unruled table: its narrow number columns are not text columns
    (_unruled_table_words(), [], None),
    # a full-width note under the columns, then a short note: a full-width band below
    (_column_words([285.0] * 6) + [(40.0, 200.0, 555.0, 207.0), (40.0, 210.0, 90.0, 217.0)], [],
     [(-INF, (298.0,)), (200.0, ())]),
    # short lines crossing no gutter, scattered among full-width ones: not a column layout
    ([(40.0, 100.0 + 14 * i, 555.0 if i % 3 else 90.0, 109.0 + 14 * i) for i in range(12)]
     + [(310.0, 100.0 + 14 * i, 400.0, 109.0 + 14 * i) for i in range(0, 12, 3)], [], None),
    # a form: short labels on the left never reach the gutter
    (_column_words([80.0, 90.0, 75.0, 100.0, 85.0, 70.0]), [], None),
    # too few lines for columns
    (_column_words([285.0] * 3), [], None),
    # a full-width line between two runs of three lines: no run proves columns
    (_column_words([285.0] * 3) + [(40.0, 150.0, 555.0, 159.0)]
     + [(40.0, 200.0 + 14 * i, 285.0, 209.0 + 14 * i) for i in range(3)]
     + [(310.0, 200.0 + 14 * i, 555.0, 209.0 + 14 * i) for i in range(3)], [], None),
    # ... but under six lines in columns, the same three lines beside the gutter are columns
    # too, and the full-width table between them is a band of its own
    (_column_words([285.0] * 6) + [(40.0, 200.0 + 14 * i, 285.0, 209.0 + 14 * i) for i in range(3)]
     + [(310.0, 200.0 + 14 * i, 555.0, 209.0 + 14 * i) for i in range(3)], [(40.0, 182.0, 555.0, 196.0)],
     [(-INF, (298.0,)), (182.0, ()), (200.0, (298.0,))]),
    # a table inside the right column does not cut the page
    (_column_words([285.0] * 6) + [(40.0, 200.0 + 14 * i, 285.0, 209.0 + 14 * i) for i in range(3)],
     [(310.0, 182.0, 555.0, 240.0)], [(-INF, (298.0,))]),
    # a page number centred under the columns narrows no gutter
    (_column_words([285.0] * 6) + [(290.0, 200.0, 301.0, 209.0)], [], [(-INF, (306.0,))]),
])
def test_find_bands(words: list[tuple[float, float, float, float]], blocks: list[tuple[float, float, float, float]],
                    bands: list[tuple[float, tuple[float, ...]]] | None) -> None:
    assert find_bands(words, blocks) == bands


def test_band_regions_read_each_band_column_by_column() -> None:
    assert band_regions([(-INF, ()), (100.0, (297.5,)), (200.0, ())]) == [
        (-INF, -INF, INF, 100.0), (-INF, 100.0, 297.5, 200.0), (297.5, 100.0, INF, 200.0), (-INF, 200.0, INF, INF)]


def _char(text: str, x0: float, top: float = 10.0) -> dict[str, object]:
    return {"text": text, "x0": x0, "x1": x0 + 9, "top": top, "bottom": top + 9}


@pytest.mark.parametrize(("chars", "boxes"), [
    # a space ends a word; so does a gap wider than 3 pt; adjacent glyphs stay one word
    ([_char("添", 40), _char("付", 49), _char(" ", 58), _char("文", 67)],
     [(40, 10, 58, 19), (67, 10, 76, 19)]),
    ([_char("A", 40), _char("B", 55)], [(40, 10, 49, 19), (55, 10, 64, 19)]),
    ([_char("B", 51), _char("A", 40), _char("C", 62)], [(40, 10, 71, 19)]),
])
def test_word_boxes(chars: list[dict[str, object]], boxes: list[tuple[float, ...]]) -> None:
    assert word_boxes([{"chars": chars}]) == boxes
