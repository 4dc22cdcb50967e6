"""Recovering the code -> character map of CID fonts embedded without a ToUnicode map.

Fixtures (``scripts/make_font_pdfs.py``): a fictional review report set in Noto Serif CJK JP
(Mincho) and in Noto Sans CJK JP (Gothic) as CID-keyed CFF programs under Identity-H, glyph
ids kept, no ToUnicode: the way Acrobat Distiller embeds MS-Mincho. The recovery's references
are IPAex, another design, so these test telling one design's glyphs by another's.

Real documents: the four broken-font reviews in ``../shared/real/review``; the values below
were read by hand off the page images (``pdftoppm -r 80``), value by value.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from extract.load import pdf_fonts
from extract.load.pdf import load_pdf
from extract.model import Document

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real" / "review"


def _missing() -> str | None:
    try:
        import freetype  # noqa: F401
    except ImportError:
        return "freetype-py is not installed (pip install freetype-py)"
    for _, path in pdf_fonts.REFERENCE_FONTS:
        if not Path(path).exists():
            return f"reference font {path} missing ({pdf_fonts.REFERENCE_INSTALL})"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def font_pdfs(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = importlib.util.spec_from_file_location("yakuji_make_font_pdfs", ROOT / "scripts" / "make_font_pdfs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    if not all(Path(path).exists() for path, _ in module.NOTO.values()):
        pytest.skip(f"Noto CJK is not installed ({module.NOTO_INSTALL}): no broken-font fixture")
    return module


@pytest.fixture(scope="module")
def fixture_paths(font_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return font_pdfs.make_font_fixtures(tmp_path_factory.mktemp("fonts"))


def _load(path: Path) -> Document:
    return load_pdf(path.read_bytes(), str(path), ocr="never")


def _flat(text: str) -> str:
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))


def char_accuracy(want: str, got: str) -> float:
    """1 - (characters missing, extra or wrong) / len(want), whitespace and width forms aside."""
    want, got = _flat(want), _flat(got)
    errors = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, want, got, autojunk=False).get_opcodes():
        if op != "equal":
            errors += max(i2 - i1, j2 - j1)
    return 1 - errors / len(want)


@pytest.mark.parametrize("design", ["mincho", "gothic"])
def test_fixture_is_broken_without_the_recovery(fixture_paths: dict[str, Path], design: str) -> None:
    """Without a recovered map pdfminer reads only (cid:N)."""
    import pdfplumber

    with pdfplumber.open(fixture_paths[f"broken_font_{design}.pdf"]) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()


@pytest.mark.parametrize("design", ["mincho", "gothic"])
def test_fixture_text_recovered(fixture_paths: dict[str, Path], font_pdfs: ModuleType, design: str) -> None:
    doc = _load(fixture_paths[f"broken_font_{design}.pdf"])
    known = font_pdfs.review_text()
    for page, lines in zip(doc.pages, known):
        assert page.status == "font-recovered", page.reason
        assert page.method == "font-recovered"
        assert "confidence 1.000" in page.reason
        assert char_accuracy("".join(lines), doc.text[page.start:page.end]) >= 0.995
    assert char_accuracy("".join("".join(lines) for lines in known), doc.text) >= 0.995
    # the header block, value by value (the loader's text is NFKC: ［ ］ and digits narrow)
    header = {re.sub(r"\s", "", m.group(1)): m.group(2).strip()
              for m in re.finditer(r"^\[([^\]]+)\]\s*(.*)$", doc.text, re.M)}
    assert header["販売名"] == "フィクタロン錠25mg、同錠50mg"
    assert header["一般名"] == "フィクタロリマブ"
    assert header["申請者"] == "ヤクジ架空製薬株式会社"
    assert header["申請年月日"] == "令和6年5月20日"
    assert header["申請区分"] == "医療用医薬品(1)新有効成分含有医薬品"
    # the ruled table, cell by cell
    (table,) = doc.tables
    grid = [[_flat(cell) for cell in row] for row in table.rows()]
    assert grid[0] == ["事象名", "本薬群(N=120)", "対照群(N=118)"]
    assert grid[1] == ["下痢", "36(30.0)", "14(11.9)"]
    assert grid[4] == ["口内炎", "8(6.7)", "3(2.5)"]
    # the confusables, in their lines
    text = doc.text
    for line in ("ロット間のバラつきはカラム温度の管理で小さくなった。",
                 "二次性のエラーはへその緒のヘパリン処理で生じない。",
                 "工程管理ではパラメータ一覧とコード番号を照合した。"):
        assert line in text


def test_unknown_glyphs_stay_unreadable(fixture_paths: dict[str, Path], font_pdfs: ModuleType,
                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A glyph the method is not sure of is U+FFFD, never a guess; the page is partial and
    says how many (here the bar is raised so that some glyphs fail it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(pdf_fonts, "MIN_SCORE", 0.9)
    doc = _load(fixture_paths["broken_font_gothic.pdf"])
    page = doc.pages[0]
    assert page.status == "partial"
    unknown = doc.text[page.start:page.end].count("\ufffd")
    assert unknown > 0
    assert f"{unknown} character(s) unreadable" in page.reason
    # what was read is right: the known text with U+FFFD where a glyph stayed unknown
    got = _flat(doc.text[page.start:page.end])
    pattern = "".join("." if ch == "\ufffd" else re.escape(ch) for ch in got)
    assert re.fullmatch(pattern, _flat("".join(font_pdfs.review_text()[0])))  # no wrong character


def test_map_cached_by_font_program(fixture_paths: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = _load(fixture_paths["broken_font_mincho.pdf"])
    (stored,) = (tmp_path / "yakuji" / "fontmaps").glob("*.json")
    cached = json.loads(stored.read_text(encoding="utf-8"))
    assert cached["version"] == pdf_fonts.VERSION and cached["ordered"] is True
    monkeypatch.setattr(pdf_fonts, "_render_program", lambda program: pytest.fail("map not taken from the cache"))
    assert _load(fixture_paths["broken_font_mincho.pdf"]).text == first.text


def test_extraction_method_in_graph(fixture_paths: dict[str, Path]) -> None:
    """Facts from a recovered page say so: ``yk:extractionMethod "font-recovered"``."""
    from extract.rdf.build import GraphBuilder

    doc = _load(fixture_paths["broken_font_mincho.pdf"])
    builder = GraphBuilder.__new__(GraphBuilder)
    builder.doc = doc
    ref = doc.ref(doc.pages[1].start, doc.pages[1].start + 5)
    assert builder.method_at(ref) == "font-recovered"


# --------------------------------------------------------------------------- real reviews

REAL_HEADERS = {  # read off page 2 of each (審査報告書), value by value
    "imbruvica-2016-03-review.pdf": {
        "販売名": "イムブルビカカプセル140mg", "一般名": "イブルチニブ", "申請者名": "ヤンセンファーマ株式会社",
        "申請年月日": "平成26年11月25日", "剤形・含量": "1カプセル中にイブルチニブ140mgを含有するカプセル剤",
        "申請区分": "医療用医薬品(1)新有効成分含有医薬品", "担当審査部": "新薬審査第五部"},
    "imbruvica-2016-11-review.pdf": {
        "販売名": "イムブルビカカプセル140mg", "一般名": "イブルチニブ", "申請者": "ヤンセンファーマ株式会社",
        "申請年月日": "平成28年3月31日", "剤形・含量": "1カプセル中にイブルチニブ140mgを含有するカプセル剤"},
    "imbruvica-2022-12-review.pdf": {
        "販売名": "イムブルビカカプセル140mg", "一般名": "イブルチニブ", "申請者": "ヤンセンファーマ株式会社",
        "申請年月日": "令和4年4月22日", "申請区分": "医療用医薬品(4)新効能医薬品", "審査担当部": "新薬審査第五部"},
    "yuvanci-2024-review.pdf": {
        "販売名": "ユバンシ配合錠", "一般名": "マシテンタン/タダラフィル", "申請者": "ヤンセンファーマ株式会社",
        "申請年月日": "令和5年10月23日", "申請区分": "医療用医薬品(2)新医療用配合剤", "特記事項": "なし",
        "審査担当部": "新薬審査第二部"},
}
REAL_LINES = {  # short phrases of a paragraph of page 2, read off the page image
    "imbruvica-2016-03-review.pdf": ("承認申請のあった下記の医薬品にかかる医薬品医療機器総合機構での審査結果は",),
    "imbruvica-2016-11-review.pdf": ("本品目の再発又は難治性のマントル細胞リンパ腫に対する有効",),
    "imbruvica-2022-12-review.pdf": ("本品目の原発性マクログロブリン血症及びリンパ形質細胞リンパ",),
    "yuvanci-2024-review.pdf": ("本品目の肺動脈性肺高血圧症に対する有効性は示され",),
}


@pytest.fixture(scope="module")
def real_docs() -> dict[str, Document]:
    if not REAL.is_dir():
        pytest.skip(f"{REAL} is absent: the real broken-font reviews are not here")
    return {name: _load(REAL / name) for name in REAL_HEADERS}


@pytest.mark.parametrize("name", sorted(REAL_HEADERS))
def test_real_review_header_recovered(real_docs: dict[str, Document], name: str) -> None:
    doc = real_docs[name]
    page = doc.pages[1]
    assert page.method == "font-recovered" and page.status in ("font-recovered", "partial"), page.reason
    text = doc.text[page.start:page.end]
    header = {}
    for m in re.finditer(r"^\[([^\]]+)\]\s*(.*)$", text, re.M):
        header.setdefault(re.sub(r"\s", "", m.group(1)), re.sub(r"\s", "", m.group(2)))
    for field, value in REAL_HEADERS[name].items():
        assert header[field] == value, (field, header.get(field))
    for phrase in REAL_LINES[name]:
        assert phrase in _flat(text)


def test_real_reviews_read_almost_entirely(real_docs: dict[str, Document]) -> None:
    """Every page is read through the map; glyphs left unknown are at most 0.1 % of the text."""
    for name, doc in real_docs.items():
        assert all(p.method == "font-recovered" for p in doc.pages if p.status != "unreadable"), name
        unknown = doc.text.count("\ufffd")
        assert unknown <= 0.001 * len(_flat(doc.text)), (name, unknown)
        assert "(cid:" not in doc.text
