"""Real pages in reading order (issue 21): bands, then columns; tables inside a column stay in
it; a template's headings at line starts and in order (``extract/load/order.py``)."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest

from extract.load.order import _LINE_START, Heading, heading_order
from extract.load.pdf import load_pdf
from extract.model import Document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"

# The templates' headings (記載要領), until the section schemas (ontology/schemas) are on main.
CURRENT = [Heading(titles, number) for number, titles in [
    ("1", ("警告",)), ("2", ("禁忌", "禁忌・禁止")), ("3", ("組成・性状",)),
    ("4", ("効能又は効果", "効能・効果", "効能、効果又は性能")),
    ("5", ("効能又は効果に関連する注意", "効能・効果に関連する注意")),
    ("6", ("用法及び用量", "用法・用量", "用法及び用量又は使用方法")),
    ("7", ("用法及び用量に関連する注意", "用法・用量に関連する注意")), ("8", ("重要な基本的注意",)),
    ("9", ("特定の背景を有する患者に関する注意",)), ("10", ("相互作用",)), ("11", ("副作用",)),
    ("12", ("臨床検査結果に及ぼす影響",)), ("13", ("過量投与",)), ("14", ("適用上の注意",)),
    ("15", ("その他の注意",)), ("16", ("薬物動態",)), ("17", ("臨床成績",)), ("18", ("薬効薬理",)),
    ("19", ("有効成分に関する理化学的知見",)), ("20", ("取扱い上の注意",)), ("21", ("承認条件",)),
    ("22", ("包装",)), ("23", ("主要文献",)), ("24", ("文献請求先及び問い合わせ先",)),
    ("25", ("保険給付上の注意",)), ("26", ("製造販売業者等",))]]
OLD = [Heading(titles) for titles in [
    ("警告",), ("禁忌", "禁忌・禁止", "接種不適当者"), ("原則禁忌",),
    ("組成・性状", "製法の概要及び組成・性状", "組成及び性状"), ("効能・効果", "効能又は効果", "効能、効果又は性能"),
    ("用法・用量", "用法及び用量", "用法及び用量又は使用方法"), ("使用上の注意", "接種上の注意"), ("薬物動態",),
    ("臨床成績",), ("薬効薬理",), ("有効成分に関する理化学的知見",), ("取扱い上の注意",),
    ("承認条件", "承認条件及び期限"), ("貯法・有効期間", "貯法", "貯蔵法・有効期間"), ("包装",),
    ("主要文献", "主要文献及び文献請求先"), ("文献請求先", "文献請求先及び問い合わせ先", "文献請求先・製品情報お問い合わせ先"),
    ("製造販売元", "製造販売", "製造販売業者の氏名又は名称及び住所", "製造販売元(輸入)", "製造販売業者等")]]
REVIEW = [Heading(titles, number) for number, titles in [
    ("1", ("起原又は発見の経緯",)), ("2", ("品質に関する資料",)), ("3", ("非臨床薬理試験に関する資料",)),
    ("4", ("非臨床薬物動態試験に関する資料",)), ("5", ("毒性試験に関する資料",)),
    ("6", ("生物薬剤学試験及び関連する分析法",)), ("7", ("臨床的有効性及び臨床的安全性に関する資料",)),
    ("8", ("機構による承認申請書に添付すべき資料に係る適合性調査結果",)), ("9", ("審査報告(1)作成時における総合評価",))]]


def test_heading_order_measures_order_and_line_starts() -> None:
    text = "1. 警告\n本文\n*4. 効能又は効果\n架空症候群 6. 用法及び用量\n3. 組成・性状\n【用  法  及  び  用  量】"
    found = heading_order(text, CURRENT)
    assert found.present == ("1. 警告", "3. 組成・性状", "4. 効能又は効果", "6. 用法及び用量")
    assert found.at_line_start == ("1. 警告", "3. 組成・性状", "4. 効能又は効果")
    assert found.in_order in (("1. 警告", "3. 組成・性状"), ("1. 警告", "4. 効能又は効果"))
    assert found.fraction == 0.5
    assert heading_order(text, OLD).in_order == ("【用法・用量】",)
    assert heading_order("", CURRENT).fraction == 1.0
    assert heading_order("16. 薬物動態\n", CURRENT).present == ("16. 薬物動態",)  # not "6. …"


@pytest.fixture(scope="module")
def insert_layout(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = make_pdfs.make_insert_layout(tmp_path_factory.mktemp("order") / "insert_layout.pdf")
    return load_pdf(path.read_bytes(), str(path))


def test_an_insert_like_page_reads_band_by_band_and_column_by_column(insert_layout: Document,
                                                                     make_pdfs: ModuleType) -> None:
    m = make_pdfs
    expected = [*m.INSERT_HEADER, *("\t".join(row) for row in m.INSERT_APPROVAL),
                *m.wrap_fixed(m.INSERT_TOP_LEFT), *m.wrap_fixed(m.INSERT_TOP_RIGHT),
                *("\t".join(row) for row in m.INSERT_WIDE_TABLE),
                *m.wrap_fixed(m.INSERT_LOW_LEFT), *m.wrap_fixed(m.INSERT_LOW_RIGHT_ABOVE),
                *("\t".join(row) for row in m.INSERT_RIGHT_TABLE), m.INSERT_RIGHT_NOTE,
                *m.wrap_fixed(m.INSERT_LOW_RIGHT_BELOW)]
    lines = [line for line in insert_layout.text.split("\n") if line.strip() and line != "- 1 -"]
    assert lines == expected
    assert insert_layout.pages[0].reason == "two columns: read column by column"
    assert heading_order(insert_layout.text, CURRENT).fraction == 1.0
    tables = [[c.text for c in t.cells] for t in insert_layout.tables]
    assert tables == [[c for row in m.INSERT_APPROVAL for c in row], [c for row in m.INSERT_WIDE_TABLE for c in row],
                      [c for row in m.INSERT_RIGHT_TABLE for c in row]]


def _inserts() -> list[str]:
    return sorted(f"product/{p.name}" for p in (REAL / "product").glob("*.pdf")
                  if "package-insert" in p.name or p.name.startswith("pi-")) or ["(no real documents)"]


@pytest.mark.parametrize("name", _inserts())
def test_real_inserts_have_their_headings_at_line_starts_in_order(real_document: Callable[[str], Document],
                                                                   name: str) -> None:
    """Before the bands (columns given up on pages with tables or a full-width element),
    94 of the 129 headings these twelve inserts have were at line starts in template order."""
    doc = real_document(name)
    template = CURRENT if "herceptin" in name else OLD
    found = heading_order(doc.text, template)
    assert len(found.present) >= 9
    assert found.misplaced == ()
    # and each heading line holds the heading only (a parenthesis or reference marks may follow)
    for heading in template:
        for m in re.finditer(_LINE_START + heading.pattern(), doc.text):
            rest = doc.text[m.end():doc.text.find("\n", m.end())]
            assert re.fullmatch(r"\s*(?:[（(].*[）)])?\s*|\s*\d+\)[、,\s\d)]*", rest), doc.text[m.start():m.end() + 40]


def test_review_report_headings_in_order(real_document: Callable[[str], Document]) -> None:
    found = heading_order(real_document("review/imbruvica-2023-01-review.pdf").text, REVIEW)
    assert len(found.present) == 9 and found.fraction == 1.0


def _lines(doc: Document, number: int) -> list[str]:
    page = doc.pages[number - 1]
    return doc.text[page.start:page.end].split("\n")


# Lines read by hand from the page images: each a whole line of its column, not joined to
# the other column's line beside it.
@pytest.mark.parametrize(("name", "page", "line"), [
    ("product/herceptin-package-insert-2022-12.pdf", 2, "*6. 用法及び用量"),
    ("product/herceptin-package-insert-2022-12.pdf", 2, "9.1.3 胸部へ放射線を照射中の患者"),
    ("product/herceptin-package-insert-2022-12.pdf", 2, "8. 重要な基本的注意"),
    ("product/herceptin-package-insert-2022-12.pdf", 2, "薬剤名等\t臨床症状・措置方法\t機序・危険因子"),
    ("product/herceptin-package-insert-2022-12.pdf", 1, "1.1 本剤を含むがん化学療法は、緊急時に十分対応できる医療施"),
    ("product/herceptin-package-insert-2022-12.pdf", 1, "2. 禁忌(次の患者には投与しないこと)"),
    ("product/herceptin-package-insert-2022-12.pdf", 1, "*4. 効能又は効果"),
    ("product/carbamazepine-fujinaga-package-insert-2020-06.pdf", 2, "3.相互作用"),
    ("product/carbamazepine-fujinaga-package-insert-2020-06.pdf", 2, "(1) 併用禁忌(併用しないこと)"),
    ("product/tegretol-package-insert-2021-10.pdf", 1, "1.  精神運動発作、てんかん性格及びてんかんに伴う精神障害、"),
    ("product/tegretol-package-insert-2021-10.pdf", 1, "  カルバマゼピンとして通常、成人には最初1日量200~400"),
])
def test_real_lines_are_whole(real_document: Callable[[str], Document], name: str, page: int, line: str) -> None:
    assert line in _lines(real_document(name), page)


def test_a_note_under_a_table_inside_a_column_is_a_footnote(insert_layout: Document, make_pdfs: ModuleType) -> None:
    (note,) = insert_layout.footnotes
    assert (note.marker, insert_layout.text[note.text_start:note.text_end]) == ("注1)", make_pdfs.INSERT_RIGHT_NOTE)
    (marker,) = note.ref_offsets
    assert insert_layout.text[marker - 3:marker + 3] == "架空薬A注1)"[-6:]


# The section tree on real inserts: revision marks before a number (``*6.``), 〔〕 labels,
# headings set with spaces between their characters (their titles without them).
@pytest.mark.parametrize(("name", "titles"), [
    ("product/herceptin-package-insert-2022-12.pdf",
     ["警告", "禁忌(次の患者には投与しないこと)", "組成・性状", "効能又は効果", "効能又は効果に関連する注意",
      "用法及び用量", "用法及び用量に関連する注意", "重要な基本的注意", "特定の背景を有する患者に関する注意",
      "相互作用", "副作用", "適用上の注意", "その他の注意", "薬物動態", "臨床成績", "薬効薬理",
      "有効成分に関する理化学的知見", "承認条件", "包装", "主要文献", "文献請求先及び問い合わせ先", "製造販売業者等"]),
    ("product/carbamazepine-fujinaga-package-insert-2020-06.pdf",
     ["禁忌", "組成・性状", "効能又は効果", "用法及び用量", "使用上の注意", "薬物動態", "薬効薬理",
      "有効成分に関する理化学的知見", "取扱い上の注意", "包装", "主要文献", "文献請求先・製品情報お問い合わせ先"]),
    ("product/pi-671450_6219001H1056_2_05.pdf",
     ["禁忌(次の患者には投与しないこと)", "組成・性状", "効能・効果", "用法・用量", "使用上の注意", "臨床成績",
      "薬効薬理", "有効成分に関する理化学的知見", "包装", "主要文献", "文献請求先・製品に関するお問い合わせ先"]),
    ("product/tegretol-package-insert-2021-10.pdf",
     ["禁忌(次の患者には投与しないこと)", "組成・性状", "効能又は効果", "用法及び用量", "使用上の注意", "薬物動態",
      "臨床成績", "薬効薬理", "有効成分に関する理化学的知見", "包装", "主要文献", "文献請求先"]),
])
def test_real_insert_section_trees(real_document: Callable[[str], Document], name: str, titles: list[str]) -> None:
    assert [s.title for s in real_document(name).sections] == titles
