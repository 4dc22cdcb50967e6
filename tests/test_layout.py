"""Sections, blocks, languages and furniture, on fictional documents and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.load import load_document
from extract.load.text import load_text
from extract.model import Document, Section

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(prefix: str) -> Document:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return load_document(next(SEEDS.glob(f"{prefix}_*.txt")))


def doc_of(text: str) -> Document:
    return load_text(text.encode("utf-8"), "sample.txt")


def numbers(doc: Document) -> list[str | None]:
    return [s.number for s in doc.iter_sections()]


def find(doc: Document, number: str) -> Section:
    return next(s for s in doc.iter_sections() if s.number == number)


# A fictional English review report: a numbered list under "Indications" before the first
# section, a restart of the numbering in part (2), PMDA's "R" subsections, a table caption.
EN_REVIEW = """Review Report
Brand Name Examplix Tablets 10 mg

Indications
1. Chronic examplitis
2. Acute examplitis

1. Origin of the Product
1.1 Outline
Examplix is an example.

2. Quality Data
No data.

3. Clinical Data
3.1 Evaluation data
3.1.1 Phase II study (Study EX-201)
Table 1. Best overall response
Response\tn (%)
CR\t3 (10.0)

3.R Review by PMDA
3.R.1 Efficacy
PMDA considers the product effective.
Table 2 shows the safety results.
3.R.2 Dosage and administration
1. Take 10 mg once daily; this sentence is a list item.
2. Halve the dose if needed.

Review Report (2)
1. Content of the Review
1.1 Efficacy
Expert advisors agreed.
2. Overall Evaluation
Approval is recommended.
"""


def test_english_sections_follow_the_numbering_and_ignore_lists() -> None:
    doc = doc_of(EN_REVIEW)
    assert numbers(doc) == [
        None, "1.", "1.1", "2.", "3.", "3.1", "3.1.1", "Table 1", "3.R", "3.R.1", "3.R.2",
        "1.", "1.1", "2."]
    assert [s.title for s in doc.sections][:2] == ["Indications", "Origin of the Product"]
    assert [c.number for c in find(doc, "3.R").children] == ["3.R.1", "3.R.2"]
    assert find(doc, "3.1.1").title == "Phase II study (Study EX-201)"


@pytest.mark.parametrize("phrase, section", [
    ("Chronic examplitis", "Indications"),
    ("Examplix is an example.", "1.1"),
    ("3 (10.0)", "Table 1"),
    ("PMDA considers", "3.R.1"),
    ("Halve the dose", "3.R.2"),
    ("Expert advisors agreed.", "1.1"),
    ("Approval is recommended.", "2."),
])
def test_english_offsets_know_their_section(phrase: str, section: str) -> None:
    doc = doc_of(EN_REVIEW)
    assert doc.section_path(doc.text.index(phrase)) == section


# A fictional Japanese RMP fragment with full-width numbering (１.（１） after NFKC is 1.(1)),
# a table of contents, bracketed labels and (n) headings that are followed by body text.
JA_RMP = """目次
1.\tはじめに\t2
2.\t概要\t3

1. はじめに
本書は架空の計画書である。

１. 医薬品リスク管理計画の概要
１.（１）安全性検討事項
【重要な特定されたリスク】
架空の副作用
【内容】
・通常の医薬品安全性監視活動
(1) 資材の作成
(2) 情報の提供
１.（２）有効性に関する検討事項
該当なし
2. 概要
（1）医師要件
医師の要件を定める。
（2）施設要件
施設の要件を定める。
"""


def test_japanese_sections_keep_printed_numbers_and_skip_the_toc() -> None:
    doc = doc_of(JA_RMP)
    assert numbers(doc) == ["1.", "１.", "１.（１）", "【重要な特定されたリスク】", "【内容】", "１.（２）",
                            "2.", "（1）", "（2）"]
    assert doc.sections[0].start == doc.text.index("1. はじめに")
    assert find(doc, "１.（１）").title == "安全性検討事項"
    assert find(doc, "【内容】").title == "内容"


@pytest.mark.parametrize("phrase, section", [
    ("本書は架空", "1."),
    ("架空の副作用", "【重要な特定されたリスク】"),
    ("(2) 情報の提供", "【内容】"),       # a two-line list, not headings
    ("該当なし", "１.（２）"),
    ("施設の要件", "（2）"),
])
def test_japanese_offsets_know_their_section(phrase: str, section: str) -> None:
    doc = doc_of(JA_RMP)
    assert doc.section_path(doc.text.index(phrase)) == section


@pytest.mark.parametrize("text, expected", [
    # a numbered list with no sub-numbering is not a run of sections
    ("Indications\n1. Multiple myeloma\n2. Lymphoma\n\nText after.\n", [None]),
    # numbers must rise by one: 1, 3 is not a section sequence
    ("1. Intro\n1.1 Scope\nBody.\n3. Later\nBody.\n", ["1.", "1.1"]),
    # a restart at 1 without sub-numbering is a list inside section 2
    ("1. Intro\n1.1 Scope\nBody.\n2. Method\nBody.\n1. Step one\nA.\n2. Step two\nB.\n3. Step three\n",
     ["1.", "1.1", "2."]),
    # values are not titles
    ("1. Intro\n1.1 Scope\n2.5 mg once daily\n1.2 Next\n", ["1.", "1.1", "1.2"]),
    # a sentence is not a heading
    ("1. Intro\n1.1 Scope\n2. The patient should take the tablet.\n", ["1.", "1.1"]),
    # "etc." ends a heading without making it a sentence
    ("1. Intro\n1.1 Scope\n1.2 Development history, etc.\nBody.\n", ["1.", "1.1", "1.2"]),
    # a table-of-contents line in layout text is not a heading
    ("Contents\n1. Intro ........ 3\n\n1. Intro\n1.1 Scope\nBody.\n", ["1.", "1.1"]),
    # circled numbers and their sub-items
    ("① 施設について\n本文。\n① -1 要件\n本文。\n② 体制\n本文。\n", ["①", "① -1", "②"]),
    # Japanese table captions, but not a sentence that mentions a table
    ("表 3 主な有害事象\nA\n表 3 に示すとおり\n表 12 に示す\n", ["表 3"]),
    ("Table 1. Response\nA\nTable 1.5 mg\nTable 2 shows the results.\n", ["Table 1"]),
])
def test_conservative_section_rules(text: str, expected: list[str | None]) -> None:
    assert numbers(doc_of(text)) == expected


def test_block_kinds_and_languages() -> None:
    text = ("1. Intro\n1.1 Scope\nThis paragraph has\ntwo lines.\n\n"
            "・箇条書きの項目\n続きの行\n*1 A footnote.\n\n本文の段落である。\n改行された続き。\n")
    doc = doc_of(text)
    kinds = [(b.kind, b.lang, b.text) for b in doc.blocks]
    assert kinds == [
        ("heading", "en", "1. Intro"),
        ("heading", "en", "1.1 Scope"),
        ("paragraph", "en", "This paragraph has two lines."),
        ("list_item", "ja", "・箇条書きの項目続きの行"),
        ("footnote", "en", "*1 A footnote."),
        ("paragraph", "ja", "本文の段落である。改行された続き。"),
    ]
    for block in doc.blocks:
        assert block.ref.section == "1.1" or block.text == "1. Intro"
        assert doc.text[block.ref.start:block.ref.end].startswith(block.text[:3])


def test_page_furniture_with_form_feeds() -> None:
    pages = [f"Examplix Review Report\n{body}\n\n{n}" for n, body in
             [(1, "First page text."), (2, "Second page text."), (3, "Third page text.")]]
    doc = doc_of("\f".join(pages))
    furniture = [(b.text, b.ref.page) for b in doc.blocks if b.kind == "furniture"]
    assert furniture == [("Examplix Review Report", 1), ("1", 1), ("Examplix Review Report", 2), ("2", 2),
                         ("Examplix Review Report", 3), ("3", 3)]
    assert [(b.text, b.ref.page) for b in doc.blocks if b.kind == "paragraph"] == [
        ("First page text.", 1), ("Second page text.", 2), ("Third page text.", 3)]


def test_isolated_numbers_are_furniture_only_when_they_rise_like_page_numbers() -> None:
    body = "\n".join(f"Line {i} of running text." for i in range(30))
    doc = doc_of("\n\n".join(f"{body}\n\n{n}" for n in (1, 2, 3)))
    assert [b.text for b in doc.blocks if b.kind == "furniture"] == ["1", "2", "3"]
    chart = doc_of("Axis\n\n80\n\n60\n\n40\n\nText.\n")
    assert not [b for b in chart.blocks if b.kind == "furniture"]


# --------------------------------------------------------------------------- seeds


@pytest.mark.parametrize("number, title", [
    ("1.", "Origin or History"),
    ("1.2", "Development history, etc."),
    ("3.1.1.1", "In vitro (CTD 4.2.1.1.1)"),
    ("3.R.1", "Mechanism of action"),
    ("6.1.1", "Assay"),
    ("7.R.2.2", "Tumour flare"),
    ("7.R.4", "Dosage and administration"),
    ("7.R.4.2", "Adjustment of"),
    ("7.R.6", "Proper management procedures"),
    ("1.5", "Risk management plan"),
    ("Table 4", "Best overall response"),
])
def test_seed_000_review_report_sections(number: str, title: str) -> None:
    """Titles are checked by their opening words."""
    doc = seed("000")
    assert any(s.title.startswith(title) for s in doc.iter_sections() if s.number == number)


def test_seed_000_structure() -> None:
    doc = seed("000")
    top = [s.number for s in doc.sections if s.number]
    # Review Report (1) runs 1-9, Review Report (2) restarts at 1 and runs to 3
    assert top == ["1.", "2.", "3.", "4.", "5.", "6.", "7.", "8.", "9.", "1.", "2.", "3."]
    r4 = find(doc, "7.R.4")
    assert [c.number for c in r4.children] == ["7.R.4.1", "7.R.4.2", "7.R.4.3"]
    heading = next(b for b in doc.blocks if b.kind == "heading" and b.text.startswith("7.R.4.2 "))
    after = doc.blocks[doc.blocks.index(heading) + 1]
    assert (after.kind, after.lang, after.ref.section) == ("paragraph", "en", "7.R.4.2")


@pytest.mark.parametrize("number, title, parent", [
    ("1.1.", "安全性検討事項", None),
    ("2.", "医薬品安全性監視計画の概要", None),
    ("１.（１）", "安全性検討事項", "１."),
    ("５.（１）", "医薬品安全性監視計画の一覧", "５."),
    ("５.（３）", "リスク最小化計画の一覧", "５."),
    ("（1）", "医師要件", "【具体的な方法】"),
])
def test_seed_003_rmp_sections(number: str, title: str, parent: str | None) -> None:
    doc = seed("003")
    section = next(s for s in doc.iter_sections() if s.number == number and s.title == title)
    assert doc.section_path(section.start) == number
    if parent:
        holder = next(s for s in doc.iter_sections() if section in s.children)
        assert holder.label == parent


def test_seed_003_product_list_is_not_a_section_run() -> None:
    doc = seed("003")
    assert not any("ルンスミオ" in s.title for s in doc.iter_sections())


@pytest.mark.parametrize("number, title, parent", [
    ("1.", "はじめに", None),
    ("3.1.", "国際共同第II相試験", "3."),
    ("(2)", "MM-001 試験の臨床成績", "3.1."),
    ("表 14", "治療の責任者等に関する要件", "① -1"),
    ("③-1", "施設体制に関する要件", "③"),
    ("【安全性に関する事項】", "安全性に関する事項", "5."),
])
def test_seed_002_guideline_sections(number: str, title: str, parent: str | None) -> None:
    doc = seed("002")
    section = next(s for s in doc.iter_sections() if s.number == number and s.title.startswith(title))
    if parent:
        holder = next(s for s in doc.iter_sections() if section in s.children)
        assert holder.label == parent


def test_seed_002_toc_lines_are_not_headings() -> None:
    doc = seed("002")
    first = doc.sections[0]
    assert (first.number, first.title) == ("1.", "はじめに")
    assert doc.text[first.start:].startswith("1. はじめに\n")
    # the list of procedure steps inside section 1 is not a section
    assert [s.number for s in doc.sections] == ["1.", "2.", "3.", "4.", "5.", "6."]


@pytest.mark.parametrize("label", ["【警告】", "【禁忌・禁止】", "【承認条件及び期限】", "使用上の注意"])
def test_seed_004_product_information_headings(label: str) -> None:
    doc = seed("004")
    assert label in [s.label for s in doc.iter_sections()]


def test_tables_without_line_positions_find_their_cells_in_reading_order() -> None:
    """PDF tables come as rows of strings; a value that repeats is found after the cell before."""
    from extract.load.layout import RawPage, RawTable, build_document

    lines = ("Table 3. Adverse events", "Event All grades Grade ≥3", "Pyrexia 5 (10.0) 5 (10.0)",
             "Rash 3 (6.0) 0")
    table = RawTable((("Event", "All grades", "Grade ≥3"), ("Pyrexia", "5 (10.0)", "5 (10.0)"),
                      ("Rash", "3 (6.0)", "0")), 1, header_rows=1)
    doc = build_document(data=b"pdf", path="t.pdf", source_format="pdf", shape="pdf",
                         pages=[RawPage(1, lines, (table,))])
    [t] = doc.tables
    spans = {(c.row, c.col): (c.ref.start, c.ref.end) for c in t.cells}
    assert all(doc.text[c.ref.start:c.ref.end] == c.text for c in t.cells)
    pyrexia_line = doc.text.index("Pyrexia")
    assert spans[(1, 1)] == (pyrexia_line + 8, pyrexia_line + 16)
    assert spans[(1, 2)] == (pyrexia_line + 17, pyrexia_line + 25)
    assert t.cells[0].ref.page == 1


def test_markdown_table_caption_ends_with_its_table_and_footnotes() -> None:
    text = ("1. 概要\n1.1 成績\n本文。\n\n表 1 有害事象\n(安全性解析対象集団)\n\n事象\t全 Grade\n発熱\t5 (10.0)\n"
            "長い名前の\n事象\t1 (2.0)\n\n*1 : 注記\n\n事象\tGrade 3 以上\n発熱\t0\n\n表の後の本文である。\n")
    doc = doc_of(text)
    assert doc.shape == "markdown"
    assert doc.section_path(doc.text.index("1 (2.0)")) == "表 1"
    assert doc.section_path(doc.text.index("注記")) == "表 1"
    assert doc.section_path(doc.text.index("Grade 3 以上")) == "表 1"
    assert doc.section_path(doc.text.index("表の後の本文")) == "1.1"


def test_package_insert_items_are_headings_even_when_numbers_skip() -> None:
    """電子添文 items keep their fixed numbers; absent items leave gaps (3 and 5 here)."""
    text = ("1. 警告\n本剤は架空である。\n2. 禁忌(次の患者には投与しないこと)\n2.1 過敏症の患者\n"
            "4. 効能又は効果\n架空疾患\n6. 用法及び用量\n1日1回10mgを経口投与する。\n"
            "11. 副作用\n11.1 重大な副作用\n11.1.1 架空症候群(5.0%)\n")
    doc = doc_of(text)
    assert numbers(doc) == ["1.", "2.", "2.1", "4.", "6.", "11.", "11.1", "11.1.1"]
    assert doc.section_path(doc.text.index("1日1回")) == "6."
    assert doc.section_path(doc.text.index("架空症候群")) == "11.1.1"


def _assert_nested(sections: tuple[Section, ...], lo: int, hi: int) -> None:
    previous_end = lo
    for s in sections:
        assert lo <= s.start <= s.end <= hi
        assert s.start >= previous_end
        previous_end = s.end
        _assert_nested(s.children, s.start, s.end)


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_seed_sections_nest_and_blocks_point_into_the_text(prefix: str) -> None:
    doc = seed(prefix)
    _assert_nested(doc.sections, 0, len(doc.text))
    for block in doc.blocks:
        assert doc.text[block.ref.start:block.ref.end].strip()
        assert block.ref.section == doc.section_path(block.ref.start)


# A fictional layout-text document: two pages; page 1 ends with footnotes whose markers stand
# in the body (``MTD)1)``, ``25 mg2)``, ``患者*1``); page 2 ends with a numbered list that nothing
# points to. ``(N=21)``, ``(1)``, ``11)`` and ``(表1)`` are not markers.
FOOTNOTE_TEXT = (
    "7.1 第I相試験(架空)\n"
    "最大耐量(MTD)1)は1日1回25 mg2)とされ、対象は患者*1とした(N=21)。\n"
    "(1) 有効性 11) 参照(表1)\n"
    "\n"
    "1) 用量制限毒性が6例中1例以下の最高用量。\n"
    "2) 空腹時投与の成績に基づく。\n"
    "   (続きの行)\n"
    "*1 前治療歴のある患者に限る。\n"
    "- 1 -\n"
    "\f"
    "7.2 用量(架空)\n"
    "減量基準は次のとおりとした。\n"
    "\n"
    "1) 25 mgから15 mgへ減量する。\n"
    "2) 15 mgで中止する。\n"
)


@pytest.mark.parametrize("marker, note, before", [
    ("1)", "1) 用量制限毒性が6例中1例以下の最高用量。", "(MTD)"),
    ("2)", "2) 空腹時投与の成績に基づく。\n   (続きの行)", "25 mg"),
    ("*1", "*1 前治療歴のある患者に限る。", "患者"),
])
def test_text_page_footnotes_are_linked_to_their_markers(marker: str, note: str, before: str) -> None:
    doc = doc_of(FOOTNOTE_TEXT)
    (footnote,) = [f for f in doc.footnotes if f.marker == marker]
    assert (footnote.page, doc.text[footnote.text_start:footnote.text_end]) == (1, note)
    (offset,) = footnote.ref_offsets
    assert doc.text[offset - len(before):offset + len(marker)] == before + marker


def test_a_numbered_list_ending_a_page_is_not_footnotes() -> None:
    doc = doc_of(FOOTNOTE_TEXT)
    assert [f.page for f in doc.footnotes] == [1, 1, 1]
    assert [b.text for b in doc.blocks if b.kind == "footnote"][0] == "1) 用量制限毒性が6例中1例以下の最高用量。"
