"""Text loader: encodings, shapes, markup clean-up, tables with exact cell spans, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.errors import InputError
from extract.load import load_document
from extract.load.text import decode, detect_shape, load_text, strip_markup

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def seed(prefix: str) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return next(SEEDS.glob(f"{prefix}_*.txt"))


JA_TEXT = "１．はじめに\n本品の投与量は４５０ｍｇ（１日１回）である。\n【警告】\n（１）重篤な副作用"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "shift_jis", "cp932", "euc_jp"])
def test_japanese_round_trip_in_every_encoding(encoding: str) -> None:
    assert decode(JA_TEXT.encode(encoding), "x.txt") == JA_TEXT


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp", "utf-16"])
@pytest.mark.parametrize("text", [JA_TEXT, "あ", "カタカナ", "漢字の見出し"])
def test_short_japanese_is_not_mistaken_for_the_other_legacy_encoding(encoding: str, text: str) -> None:
    assert decode(text.encode(encoding), "x.txt") == text


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp", "utf-16"])
def test_loaded_document_text_is_cleaned_the_same_whatever_the_encoding(encoding: str) -> None:
    doc = load_text(JA_TEXT.encode(encoding), "x.txt")
    assert doc.text.split("\n") == ["1.はじめに", "本品の投与量は450mg(1日1回)である。", "【警告】", "(1)重篤な副作用"]
    assert doc.lang == "ja"


def test_utf16_without_bom_is_recognised_by_its_nul_pattern() -> None:
    text = "Review Report\nBrand Name Example Capsules 5 mg\n"
    assert decode(text.encode("utf-16-le"), "x.txt") == text


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\t\r\n  ", "empty"),
    ("\u3000\n".encode("utf-8"), "empty"),
    (bytes(range(256)) * 3, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary"),
    (bytes(range(0x80, 0x100)) * 4, "unknown encoding"),
    ("Ceci n'est pas du japonais: été, déjà, où, forêt.".encode("cp1252") * 5, "unknown encoding"),
    (b"\xff\xfe\x00\xd8", "byte-order mark"),
    ("ab".encode("utf-16-le") * 40 + b"\x00\xd8\x41\x00", "without a byte-order mark"),
])
def test_bad_input_raises_input_error_naming_file_and_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        load_document(path)
    assert err.value.path == str(path)
    assert reason in err.value.reason


@pytest.mark.parametrize("text, shape", [
    ("Title line\nSome paragraph text.\n\n1. Introduction\nMore text.\n", "layout"),
    ("見出し\n項目\t値\nA\t1\nB\t2\nC\t3\nD\t4\n", "markdown"),
    ("<p>本文</p>\n<ul><li>項目</li></ul>\n<p>更に</p>\n", "markdown"),
    ("A Phase 2 Study of Examplinib\nSolid Tumor|Lymphoma\nDRUG: Examplinib\nPHASE2\n", "registry"),
    ('<?xml version="1.0"?>\n<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info></clinical_study>\n',
     "xml"),
    (json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}), "json"),
    (json.dumps({"studies": [{"protocolSection": {}}]}), "json"),
    ('{"not": "a trial"}', "layout"),
])
def test_detect_shape(text: str, shape: str) -> None:
    assert detect_shape(text) == shape


def test_json_and_xml_records_keep_their_text_verbatim() -> None:
    record = json.dumps({"protocolSection": {"identificationModule": {"briefTitle": "全角＂引用＂ １"}}},
                        ensure_ascii=False)
    doc = load_text(record.encode("utf-8"), "r.json")
    assert doc.shape == "json"
    assert doc.text == record
    assert json.loads(doc.text)["protocolSection"]["identificationModule"]["briefTitle"] == "全角＂引用＂ １"
    assert doc.sections == () and doc.blocks == ()


@pytest.mark.parametrize("line, expected", [
    (r"として $250\text{mg}/\text{m}^2$ を", "として 250mg/m^2 を"),
    (r"$20\text{mL}/\text{分}$ 以下", "20mL/分 以下"),
    (r"$200 \times 10^6 \sim 600 \times 10^6$ 個", "200 × 10^6 ~ 600 × 10^6 個"),
    ("<p>本文です。</p>", " 本文です。 "),
    ("<p><選択基準></p>", " <選択基準> "),
    ("p 値 <0.0001", "p 値 <0.0001"),
    ("A &amp; B", "A & B"),
    ("## 3. 臨床成績", "3. 臨床成績"),
])
def test_strip_markup_keeps_words_and_numbers(line: str, expected: str) -> None:
    assert strip_markup(line) == expected


def test_tab_separated_rows_become_a_table_with_exact_cell_spans() -> None:
    text = "表 1 有害事象\n\n事象\t全 Grade\tGrade 3 以上\n発熱\t 41 (45.6)\t２ (2.2)\n\n本文。\n"
    doc = load_text((text + "a\tb\nc\td\ne\tf\n").encode("utf-8"), "t.txt")
    assert doc.shape == "markdown"
    table = doc.tables[0]
    assert table.rows() == [["事象", "全 Grade", "Grade 3 以上"], ["発熱", "41 (45.6)", "2 (2.2)"]]
    assert table.header_rows == 1
    for cell in table.cells:
        assert doc.text[cell.ref.start:cell.ref.end] == cell.text


def test_markdown_table_cells_point_at_their_text() -> None:
    doc = load_document(seed("002"))
    assert doc.shape == "markdown"
    cells = [c for t in doc.tables for c in t.cells]
    assert cells and all(doc.text[c.ref.start:c.ref.end] == c.text for c in cells)
    # 表 2 (best overall response, first data cut-off): the sCR row, read by hand
    rows = [r for t in doc.tables for r in t.rows() if r and r[0] == "sCR"]
    assert rows[0][:3] == ["sCR", "1 (25.0)", "19 (27.1)"]
    scr = next(c for t in doc.tables for c in t.cells if c.text == "sCR")
    assert scr.ref.section == "表 2"
    holder = next(t for t in doc.tables if scr in t.cells)
    assert holder.ref.start <= scr.ref.start < holder.ref.end
    assert holder.ref.section == "表 2"
    # the table of contents is not a table
    assert not any(t.rows()[0][:2] == ["1.", "はじめに"] for t in doc.tables)


@pytest.mark.parametrize("prefix, shape, lang", [
    ("000", "layout", "en"),
    ("001", "registry", "en"),
    ("002", "markdown", "ja"),
    ("003", "layout", "ja"),
    ("004", "layout", "ja"),
])
def test_seed_shape_and_language(prefix: str, shape: str, lang: str) -> None:
    doc = load_document(seed(prefix))
    assert (doc.shape, doc.lang, doc.source_format) == (shape, lang, "text")
    assert doc.pages[0].number is None


def test_form_feeds_are_pages() -> None:
    doc = load_text("Page one text\fPage two text\fPage three".encode("utf-8"), "p.txt")
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.page_at(doc.text.index("two")) == 2


@pytest.mark.parametrize("raw, clean", [
    ("イムブルビカⓇカプセル140mg", "イムブルビカ®カプセル140mg"),   # circled R is the registered sign, not a letter
    ("腫瘍崩壊症候群(tumor\u200clysis\u200csyndrome)", "腫瘍崩壊症候群(tumor lysis syndrome)"),  # a word gap
    ("・\u200c出血\u200c\u200c \u200c26", "・出血 26"),                # elsewhere a layout mark
])
def test_clean_text_marks(raw: str, clean: str) -> None:
    from extract.normalize.text import clean_text

    assert clean_text(raw) == clean
