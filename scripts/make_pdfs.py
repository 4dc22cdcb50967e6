"""Render text documents into real PDFs, and build the bad-input PDFs the tests need.

Why: extractors must give the same facts from a PDF as from its text, so every text document
(``corpus/samples/*`` and, when present, ``../shared/seeds/*.txt``) gets a PDF rendition whose
text equals the text loader's view of it, line for line:

- ONE SOURCE LINE = ONE PDF LINE. Long lines get narrower glyphs (horizontal scaling down to
  ``MIN_SCALE`` %, the glyph height stays, so every line has the same height and line pitch)
  and, past that, a wider page; they are never wrapped. Spaces are drawn as characters, so indentation and
  runs of spaces survive extraction.
- About ``LINES_PER_PAGE`` lines per page; form feeds in the source start a new page too.
- A run of tab-separated lines (the markdown shape's tables) is drawn as a RULED table (grid
  lines), one table row per source line, so pdfplumber's table finder finds it.
- Fonts: IPAex Gothic embedded as TrueType (``fonts-ipaexfont-gothic``), DejaVu Sans for the few
  symbols IPAex lacks (≥, ≤); without IPAex, reportlab's built-in HeiseiKakuGo-W5 CID font.

Bad inputs (``make_bad_inputs``): truncated, encrypted with an empty and with a real user
password, an image-only (scanned) page, a font without a ToUnicode map (hand-written PDF whose
Type0/Identity-H font pdfminer can only show as ``(cid:N)``), zero pages, and a non-PDF.

Page layouts (``make_layouts``), fictional wording: a two-column package-insert-like page, a
three-column newsletter-like page, an RMP-summary-like three-column ruled table with
multi-line cells, three pages with a running header and footer, a "Confidential" mark and
page numbers, three pages with footnotes in smaller type at their foot, and a tategaki
(vertical text) page.

Tables (``make_tables``), fictional values: a ruled adverse-reaction table whose SOC cells span
their PT rows (and a CRS table with merged cells in its first and last columns), a booktabs
table (horizontal rules only) and a borderless table under a ``表 3`` caption.

OCR (``make_ocr_fixtures``), fictional wording: a package insert whose page 2 is a scan (one
image) and whose page 3 is drawn in an embedded font with its ToUnicode map removed, both in
large clear type, for the real-Tesseract tests.

Usage: ``python scripts/make_pdfs.py [OUT_DIR] [--seeds DIR] [--bad]`` (default ``corpus/pdf/``).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "corpus" / "pdf"
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = ROOT / "corpus" / "samples"

LINES_PER_PAGE = 50
BASE_SIZE = 9.0
MIN_SCALE = 10.0  # percent horizontal scaling for long lines
LEADING = 14.0  # points between baselines; y_tolerance in the loader must stay well below it
MARGIN = 40.0
A4 = (595.28, 841.89)
CELL_PAD = 3.0

_IPAEX_PATHS = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
_FALLBACK_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class Fonts:
    """Registered reportlab font names: the main one, then fallbacks tried per character."""

    names: tuple[str, ...]
    glyphs: tuple[frozenset[int] | None, ...]  # None = assume every character is covered

    def font_for(self, ch: str) -> str:
        for name, cover in zip(self.names, self.glyphs):
            if cover is None or ord(ch) in cover:
                return name
        return self.names[0]


def _find_ipaex() -> str | None:
    for path in _IPAEX_PATHS:
        if Path(path).is_file():
            return path
    try:
        out = subprocess.run(["fc-list", ":lang=ja", "file"], capture_output=True, text=True,
                             check=False).stdout
    except OSError:
        return None
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if "ipaex" in path.lower() and path.endswith(".ttf"):
            return path
    return None


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """Register the fonts once per process (reportlab keeps a global registry)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    names: list[str] = []
    glyphs: list[frozenset[int] | None] = []
    ipaex = _find_ipaex()
    if ipaex:
        font = TTFont("IPAexGothic", ipaex)
        pdfmetrics.registerFont(font)
        names.append("IPAexGothic")
        glyphs.append(frozenset(font.face.charToGlyph))
    for i, path in enumerate(p for p in _FALLBACK_PATHS if Path(p).is_file()):
        font = TTFont(f"Fallback{i}", path)
        pdfmetrics.registerFont(font)
        names.append(f"Fallback{i}")
        glyphs.append(frozenset(font.face.charToGlyph))
    if not ipaex:
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
        names.insert(0, "HeiseiKakuGo-W5")
        glyphs.insert(0, None)
    return Fonts(tuple(names), tuple(glyphs))


def _runs(text: str, f: Fonts) -> list[tuple[str, str]]:
    """Split a line into (font, text) runs so every character gets a font that has it."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        name = f.font_for(ch)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def text_width(text: str, scale: float = 100.0) -> float:
    """Width in points at ``BASE_SIZE`` and ``scale`` % horizontal scaling."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    f = fonts()
    return sum(stringWidth(run, name, BASE_SIZE) for name, run in _runs(text, f)) * scale / 100


def _draw(canvas: Any, x: float, y: float, text: str, scale: float, size: float = BASE_SIZE) -> None:
    t = canvas.beginText(x, y)
    t.setHorizScale(scale)
    for name, run in _runs(text, fonts()):
        t.setFont(name, size)
        t.textOut(run)
    canvas.drawText(t)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Item:
    """One thing on a page: a text line, or a table (rows of cells), each one line high per row."""

    lines: tuple[str, ...]
    table: bool

    @property
    def height(self) -> int:
        return len(self.lines)


def split_items(lines: Sequence[str]) -> list[Item]:
    """Group consecutive tab-separated lines into tables; every other line stands alone."""
    items: list[Item] = []
    run: list[str] = []
    for line in [*lines, None]:
        if line is not None and "\t" in line:
            run.append(line)
            continue
        if run:
            items.append(Item(tuple(run), True))
            run = []
        if line is not None:
            items.append(Item((line,), False))
    return items


def paginate(text: str, per_page: int = LINES_PER_PAGE) -> list[list[Item]]:
    """Pages of items: a form feed always breaks; otherwise a page ends after at most
    ``per_page`` lines (see ``_page_end``), so that page breaks fall between paragraphs and
    tables stay whole, as the text loader sees them."""
    pages: list[list[Item]] = []
    for chunk in text.split("\f"):
        lines = chunk.split("\n")
        start = 0
        while True:
            end = _page_end(lines, start, per_page)
            pages.append(split_items(lines[start:end]))
            if end >= len(lines):
                break
            start = end
    return pages


def _page_end(lines: Sequence[str], start: int, per_page: int) -> int:
    """Where the page starting at ``start`` ends: on a blank line in its last fifth, else
    before a table that would be cut, else full; a table longer than a page that starts the
    page takes as many lines as it needs (the page is drawn taller)."""
    end = start + per_page
    if end >= len(lines):
        return len(lines)
    for cut in range(end, start + per_page * 4 // 5, -1):
        if not lines[cut - 1].strip():
            return cut
    if "\t" in lines[end - 1] and "\t" in lines[end]:
        first = end - 1
        while first > start and "\t" in lines[first - 1]:
            first -= 1
        if first > start:
            return first
        while end < len(lines) and "\t" in lines[end]:  # a long table gets a taller page
            end += 1
    return end


def _fit(width: float, avail: float) -> float:
    """Horizontal scaling (percent) that fits ``width`` (at 100 %) into ``avail``."""
    return 100.0 if width <= avail else max(MIN_SCALE, 100.0 * avail / width)


def _table_geometry(rows: Sequence[str], avail: float) -> tuple[float, list[float], list[list[str]]]:
    cells = [row.split("\t") for row in rows]
    n_cols = max(len(r) for r in cells)
    widths = [0.0] * n_cols
    for row in cells:
        for c, cell in enumerate(row):
            widths[c] = max(widths[c], text_width(cell))
    pads = (2 * CELL_PAD + 2) * n_cols
    scale = _fit(sum(widths), max(avail - pads, 1.0))
    col_w = [w * scale / 100 + 2 * CELL_PAD + 2 for w in widths]
    return scale, col_w, cells


def _item_width(item: Item) -> float:
    """Width needed at the narrowest scaling (used to widen a page for very long lines)."""
    if item.table:
        _, col_w, _ = _table_geometry(item.lines, float("inf"))
        pads = (2 * CELL_PAD + 2) * len(col_w)
        return (sum(col_w) - pads) * MIN_SCALE / 100 + pads
    return text_width(item.lines[0], MIN_SCALE)


def _page_width(items: Sequence[Item]) -> float:
    need = max((_item_width(i) for i in items), default=0.0)
    return max(A4[0], need + 2 * MARGIN + 2)


def _draw_table(canvas: Any, top: float, rows: Sequence[str], left: float, avail: float) -> None:
    """Each row is one ``LEADING`` high. A row with fewer cells than the table lets its last
    cell span the remaining columns (no vertical rule there: pdfplumber sees a merged cell)."""
    scale, col_w, cells = _table_geometry(rows, avail)
    xs = [left]
    for w in col_w:
        xs.append(xs[-1] + w)
    ys = [top - LEADING * i for i in range(len(cells) + 1)]
    for y in ys:
        canvas.line(xs[0], y, xs[-1], y)
    for r, row in enumerate(cells):
        y_top, y_bot = ys[r], ys[r + 1]
        bounds = [*range(len(row)), len(col_w)]
        for c in bounds:
            canvas.line(xs[c], y_top, xs[c], y_bot)
        for c, cell in enumerate(row):
            _draw(canvas, xs[c] + CELL_PAD, y_bot + (LEADING - BASE_SIZE) / 2 + BASE_SIZE * 0.15,
                  cell, scale)


def render_text(text: str, out: Path, *, title: str = "", draw_table: Any = None) -> Path:
    """Render cleaned document text (pages split by ``\\f``) to ``out``; returns ``out``.
    ``draw_table``: how tables are drawn (default ``_draw_table``, a full grid)."""
    from reportlab.pdfgen.canvas import Canvas

    out.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(out), pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setLineWidth(0.5)
    for items in paginate(text):
        width = _page_width(items)
        height = max(A4[1], 2 * MARGIN + LEADING * (sum(i.height for i in items) + 1))
        canvas.setPageSize((width, height))
        avail = width - 2 * MARGIN
        y = height - MARGIN - LEADING
        for item in items:
            if item.table:
                (draw_table or _draw_table)(canvas, y + LEADING * 0.75, item.lines, MARGIN, avail)
            elif item.lines[0].strip():
                line = item.lines[0]
                _draw(canvas, MARGIN, y, line, _fit(text_width(line), avail))
            y -= LEADING * item.height
        canvas.showPage()
    canvas.save()
    return out


def render_document(src: Path, out_dir: Path) -> Path:
    """Render one text document as the text loader reads it (markup stripped, NFKC applied)."""
    from extract.load.text import load_text

    doc = load_text(src.read_bytes(), str(src))
    return render_text(doc.text, out_dir / (src.stem + ".pdf"), title=src.stem)


def sources(seeds: Path | None = DEFAULT_SEEDS) -> list[Path]:
    """The sample documents and, when the folder exists, the seed documents."""
    found = sorted(p for p in SAMPLES.glob("*") if p.is_file() and p.suffix in {".txt", ".md", ""})
    if seeds is not None and seeds.is_dir():
        found += sorted(p for p in seeds.glob("*.txt") if p.name.lower() != "readme.txt")
    return found


def render_corpus(out_dir: Path = DEFAULT_OUT, paths: Iterable[Path] | None = None) -> list[Path]:
    return [render_document(p, out_dir) for p in (sources() if paths is None else paths)]


# --------------------------------------------------------------------------- bad inputs

SAMPLE_LINES = (
    "1. 効能又は効果",
    "再発又は難治性の成人T細胞白血病リンパ腫 (fictional product Zentolimab 25 mg)",
    "",
    "2. Dose and route",
    "Adults take 25 mg by mouth once a day.",
)
SAMPLE_TABLE = (
    "項目\t値\t単位",
    "好中球数\t1,000\t/μL",
    "Platelets\t25,000\t/uL",
)
PASSWORD = "yakuji-secret"


def make_sample(out: Path, *, pages: int = 1) -> Path:
    """A clean Japanese + English PDF with a ruled table, ``pages`` pages long."""
    body = "\n".join([*SAMPLE_LINES, "", *SAMPLE_TABLE, "", "以上"])
    text = "\f".join(body.replace("1. ", f"{n}. ", 1) if n > 1 else body for n in range(1, pages + 1))
    return render_text(text, out, title="sample")


def make_truncated(out: Path) -> Path:
    """A real PDF cut at 55 % of its bytes (no xref, no trailer, a stream cut mid-way)."""
    full = make_sample(out.with_name(out.stem + "_full.pdf"), pages=3)
    data = full.read_bytes()
    full.unlink()
    out.write_bytes(data[: int(len(data) * 0.55)])
    return out


def make_encrypted(out: Path, user_password: str) -> Path:
    """RC4-128 encryption via reportlab; an empty ``user_password`` opens without asking."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    enc = StandardEncryption(user_password, ownerPassword="owner-" + PASSWORD, canPrint=1,
                             canModify=0, canCopy=1, canAnnotate=0, strength=128)
    canvas = Canvas(str(out), pagesize=A4, encrypt=enc, invariant=1)
    fonts()
    for i, line in enumerate(SAMPLE_LINES):
        _draw(canvas, MARGIN, A4[1] - MARGIN - LEADING * (i + 1), line, 100.0)
    canvas.showPage()
    canvas.save()
    return out


def make_image_only(out: Path) -> Path:
    """A scanned-looking page: one PNG of text, no text objects at all."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    img = Image.new("L", (1240, 400), 255)
    draw = ImageDraw.Draw(img)
    ipaex = _find_ipaex()
    font = ImageFont.truetype(ipaex, 40) if ipaex else ImageFont.load_default()
    for i, line in enumerate(SAMPLE_LINES[:2]):
        draw.text((40, 40 + 60 * i), line, fill=0, font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.drawImage(ImageReader(buf), MARGIN, A4[1] - MARGIN - 200, width=A4[0] - 2 * MARGIN,
                     height=200)
    canvas.showPage()
    canvas.save()
    return out


def _pdf(objects: list[bytes]) -> bytes:
    """Serialise numbered objects (1-based) into a PDF with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


def make_no_tounicode(out: Path, *, good_first_page: bool = True) -> Path:
    """Page 1 (optional): plain Helvetica text that reads fine. Last page: text in a Type0
    font with Identity-H encoding and NO ToUnicode map, as MS-Mincho PDFs from Acrobat
    Distiller often are; pdfminer can only show its glyphs as ``(cid:N)``."""
    good = b"BT /F0 12 Tf 72 760 Td (Readable page: Zentolimab 25 mg once daily.) Tj ET"
    broken = (b"BT /F1 12 Tf 72 760 Td <0F4B0F5C0F6D0F7E0F8F0FA00FB10FC2> Tj "
              b"0 -16 Td <10211032104310541065> Tj ET")
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    fonts_res = (b"<< /Font << /F0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                 b"/Encoding /WinAnsiEncoding >> /F1 %d 0 R >> >>")
    font_obj = 3
    objects += [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /MS-Mincho /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /MS-Mincho /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R "
        b"/DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /MS-Mincho /Flags 4 /FontBBox [0 -140 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    contents = ([good] if good_first_page else []) + [broken]
    for content in contents:
        objects.append(_stream(content))
        stream_no = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       + fonts_res % font_obj + b" /Contents %d 0 R >>" % stream_no)
        kids.append(len(objects))
    objects[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                  + b"] /Count %d >>" % len(kids))
    out.write_bytes(_pdf(objects))
    return out


def make_zero_pages(out: Path) -> Path:
    out.write_bytes(_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                          b"<< /Type /Pages /Kids [] /Count 0 >>"]))
    return out


def make_not_pdf(out: Path) -> Path:
    out.write_bytes(b"This is a plain text note saved with a .pdf name.\n")
    return out


BAD_INPUTS = {
    "truncated.pdf": make_truncated,
    "encrypted_empty_password.pdf": lambda p: make_encrypted(p, ""),
    "encrypted_password.pdf": lambda p: make_encrypted(p, PASSWORD),
    "image_only.pdf": make_image_only,
    "no_tounicode.pdf": make_no_tounicode,
    "no_tounicode_only.pdf": lambda p: make_no_tounicode(p, good_first_page=False),
    "zero_pages.pdf": make_zero_pages,
    "not_a_pdf.pdf": make_not_pdf,
}


def make_bad_inputs(out_dir: Path) -> dict[str, Path]:
    """Every bad-input PDF, by file name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: build(out_dir / name) for name, build in BAD_INPUTS.items()}


# --------------------------------------------------------------------------- page layouts
# Fictional wording throughout (a made-up product); each builder returns the PDF path.

COLUMN_TITLE = "架空錠25mg 添付文書(架空)"
COLUMN_LEFT = (
    "【警告】",
    "本剤は、緊急時に十分対応できる医療施設において、造血器悪性腫瘍の治療に十分な知識と"
    "経験を持つ医師のもとで、本剤の投与が適切と判断される患者にのみ投与すること。",
    "【禁忌(次の患者には投与しないこと)】",
    "本剤の成分に対し過敏症の既往歴のある患者、妊婦又は妊娠している可能性のある女性。",
)
COLUMN_RIGHT = (
    "【効能又は効果】",
    "再発又は難治性の架空リンパ腫、及び架空骨髄腫の維持療法(自家移植後の患者に限る)。",
    "【用法及び用量】",
    "通常、成人には架空マブとして1日1回25mgを21日間連日経口投与した後、7日間休薬する。"
    "これを1サイクルとして投与を繰り返す。",
)
COLUMN_CHARS = 24  # characters per column line (9 pt glyphs in a 245 pt column)


def wrap_fixed(paragraphs: Sequence[str], width: int = COLUMN_CHARS) -> list[str]:
    """Paragraphs cut every ``width`` characters, as a justified Japanese column wraps."""
    return [p[i:i + width] for p in paragraphs for i in range(0, len(p), width)]


def make_two_column(out: Path) -> Path:
    """A package-insert-like page: a full-width title, two columns of text (warnings and
    contraindications left, indications and dosage right) and a centred page number."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    top = A4[1] - MARGIN - LEADING
    _draw(canvas, MARGIN, top, COLUMN_TITLE, 100.0)
    for x, column in ((MARGIN, COLUMN_LEFT), (A4[0] / 2 + 10, COLUMN_RIGHT)):
        for i, line in enumerate(wrap_fixed(column)):
            _draw(canvas, x, top - LEADING * (i + 2), line, 100.0)
    _draw(canvas, A4[0] / 2 - 10, MARGIN, "- 1 -", 100.0)
    canvas.showPage()
    canvas.save()
    return out


COLUMN_NOTES = (  # 7.5 pt, under the columns: one full-width note, then a short one
    "*1 架空の専門医制度に基づく専門医をいう。この注記は二つの段の下に、紙面の幅いっぱいに印刷されている。",
    "*2 食事の影響は検討されていない。",
)


def _marked_columns(canvas: Any) -> tuple[float, float]:
    """The two-column page's title and columns, with footnote markers (``医師*1`` left,
    ``7日間休薬*2`` right); the columns' left edges."""
    fonts()
    top = A4[1] - MARGIN - LEADING
    _draw(canvas, MARGIN, top, COLUMN_TITLE, 100.0)
    left = tuple(p.replace("医師", "医師*1") for p in COLUMN_LEFT)
    right = tuple(p.replace("7日間休薬", "7日間休薬*2") for p in COLUMN_RIGHT)
    edges = (MARGIN, A4[0] / 2 + 10)
    for x, column in zip(edges, (left, right)):
        for i, line in enumerate(wrap_fixed(column)):
            _draw(canvas, x, top - LEADING * (i + 2), line, 100.0)
    return edges


def make_two_column_notes(out: Path) -> Path:
    """The two-column page with footnote markers in both columns (``医師*1``, ``休薬*2``) and
    the notes in small type under the columns, above the centred page number."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    _marked_columns(canvas)
    for k, note in enumerate(COLUMN_NOTES):
        _draw(canvas, MARGIN, MARGIN + 3 * LEADING - k * LEADING * FOOTNOTE_SIZE / BASE_SIZE, note, 100.0,
              FOOTNOTE_SIZE)
    _draw(canvas, A4[0] / 2 - 10, MARGIN, "- 1 -", 100.0)
    canvas.showPage()
    canvas.save()
    return out


COLUMN_FOOT_NOTES = (  # 7.5 pt, each at the foot of its own column
    "*1 架空の専門医制度に基づく専門医をいう。この注記は左の段の下にある。",
    "*2 食事の影響は検討されていない。",
)
NOTE_CHARS = 28  # characters per note line (7.5 pt glyphs in a 245 pt column)


def make_column_notes(out: Path) -> Path:
    """The two-column page with each footnote at the foot of the column that cites it
    (``医師*1`` left, ``休薬*2`` right), in small type, above the centred page number."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    small = LEADING * FOOTNOTE_SIZE / BASE_SIZE
    for x, note in zip(_marked_columns(canvas), COLUMN_FOOT_NOTES):
        for k, line in enumerate(wrap_fixed([note], NOTE_CHARS)):
            _draw(canvas, x, MARGIN + 3 * LEADING - k * small, line, 100.0, FOOTNOTE_SIZE)
    _draw(canvas, A4[0] / 2 - 10, MARGIN, "- 1 -", 100.0)
    canvas.showPage()
    canvas.save()
    return out


THREE_COLUMN_TITLE = "架空製薬 安全性速報 第12号(架空)"
THREE_COLUMNS = (
    ("【新しい副作用】",
     "架空錠25mgの投与例で間質性肺疾患が3例報告された。咳嗽、呼吸困難又は発熱があらわれた場合には"
     "直ちに投与を中止し、胸部X線検査を行うこと。"),
    ("【用量の変更】",
     "腎機能障害患者では1日1回15mgに減量する。クレアチニンクリアランスが30mL/min未満の患者には"
     "投与しないこと。詳細は添付文書を参照のこと。"),
    ("【お問い合わせ】",
     "架空製薬株式会社くすり相談窓口まで。受付時間は平日9時から17時まで、土日祝日及び当社休業日を"
     "除く。電話番号は添付文書に記載している。"),
)
THREE_COLUMN_CHARS = 17  # characters per line (9 pt glyphs in a 158 pt column)
THREE_COLUMN_GAP = 20.0


def make_three_column(out: Path) -> Path:
    """A newsletter-like page: a full-width title over three columns of wrapped Japanese
    text, each a bracketed heading and its paragraph."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    top = A4[1] - MARGIN - LEADING
    _draw(canvas, MARGIN, top, THREE_COLUMN_TITLE, 100.0)
    col_w = (A4[0] - 2 * MARGIN - 2 * THREE_COLUMN_GAP) / 3
    for c, column in enumerate(THREE_COLUMNS):
        x = MARGIN + c * (col_w + THREE_COLUMN_GAP)
        for i, line in enumerate(wrap_fixed(column, THREE_COLUMN_CHARS)):
            _draw(canvas, x, top - LEADING * (i + 2), line, 100.0)
    canvas.showPage()
    canvas.save()
    return out


RMP_HEADER = ("【重要な特定されたリスク】", "【重要な潜在的リスク】", "【重要な不足情報】")
RMP_ROWS = (  # each cell: its printed lines (a long name wraps inside the cell)
    (("骨髄抑制",), ("間質性肺疾患",), ("腎機能障害患者への",  "投与時の安全性")),
    (("重篤な皮膚障害(中毒性", "表皮壊死融解症)"), ("心臓障害",), ("なし",)),
    (("感染症",), ("二次性悪性腫瘍",), ("",)),
)


def make_rmp_table(out: Path) -> Path:
    """An RMP-summary-like page: a title, then a ruled three-column table whose cells hold
    several lines; pdfplumber's plain text would interleave the columns."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setLineWidth(0.5)
    fonts()
    y = A4[1] - MARGIN - LEADING
    _draw(canvas, MARGIN, y, "1.1 安全性検討事項(架空)", 100.0)
    col_w = (A4[0] - 2 * MARGIN) / 3
    xs = [MARGIN + col_w * i for i in range(4)]
    top = y - LEADING
    for row in (tuple((h,) for h in RMP_HEADER), *RMP_ROWS):
        height = LEADING * (max(len(c) for c in row) + 0.5)
        for c, cell in enumerate(row):
            for k, line in enumerate(cell):
                _draw(canvas, xs[c] + CELL_PAD, top - LEADING * (k + 1), line, 100.0)
        canvas.line(xs[0], top, xs[-1], top)
        for x in xs:
            canvas.line(x, top, x, top - height)
        top -= height
    canvas.line(xs[0], top, xs[-1], top)
    _draw(canvas, MARGIN, top - 2 * LEADING, "以上", 100.0)
    canvas.showPage()
    canvas.save()
    return out


FURNITURE_HEADER = "架空マブ 審査報告書"
FURNITURE_BODY = (
    ("1. 起原又は発見の経緯", "本剤は架空の抗体である。"),
    ("2. 品質に関する資料", "本剤の規格は適切である。"),
    ("3. 非臨床試験に関する資料", "毒性試験の結果は既知の所見と同様であった。"),
)


FURNITURE_FOOTER = "架空製薬株式会社"


def make_furniture(out: Path) -> Path:
    """Three pages with a running header, a "Confidential" mark under it, a running footer
    and a footer page number in a different style on each page (``- 1 -``, ``2 / 3``, ``3``),
    around two body lines."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    footers = ("- 1 -", "2 / 3", "3")
    for body, footer in zip(FURNITURE_BODY, footers):
        _draw(canvas, MARGIN, A4[1] - MARGIN, FURNITURE_HEADER, 100.0)
        _draw(canvas, A4[0] - MARGIN - 60, A4[1] - MARGIN - LEADING, "Confidential", 100.0)
        for i, line in enumerate(body):
            _draw(canvas, MARGIN, A4[1] - 3 * MARGIN - LEADING * i, line, 100.0)
        _draw(canvas, MARGIN, MARGIN / 2 + LEADING, FURNITURE_FOOTER, 100.0)
        _draw(canvas, A4[0] / 2 - 10, MARGIN / 2, footer, 100.0)
        canvas.showPage()
    canvas.save()
    return out


VERTICAL_COLUMNS = ("架空錠の使用上の注意", "本剤は食後に服用すること", "眠気に注意すること")


def make_vertical(out: Path) -> Path:
    """A tategaki page: each column drawn one upright character at a time, top to bottom,
    the columns from right to left."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    size = BASE_SIZE * 1.5
    for c, column in enumerate(VERTICAL_COLUMNS):
        x = A4[0] - 2 * MARGIN - c * size * 2
        for k, ch in enumerate(column):
            canvas.setFont(fonts().font_for(ch), size)
            canvas.drawString(x, A4[1] - 2 * MARGIN - k * size * 1.1, ch)
    canvas.showPage()
    canvas.save()
    return out


FOOTNOTE_SIZE = 7.5  # footnotes in smaller type than the 9 pt body
FOOTNOTE_PAGES = (  # (body lines, footnote lines) per page
    (("7.1 第I相試験(架空)",
      "本試験における架空マブの最大耐量(MTD)1)は、1日1回25 mg2)と判断された。",
      "対象は再発又は難治性の架空リンパ腫患者*1とし、21例(N=21)が組み入れられた。"),
     ("1) 用量制限毒性の発現が6例中1例以下となる最高用量。",
      "2) 食後投与での成績は得られておらず、空腹時投与の成績に基づく用量であり、",
      "   本剤の用量設定の根拠とされた。",
      "*1 前治療歴が2レジメン以上の患者に限る。")),
    (("7.2 Phase II study (fictional)",
      "The response rate was 45.6%a) in Study KASO-002*2, in 41 patients (n=1 withdrew).",
      "Responses were durable."),
     ("a) Assessed by the independent review committee.",
      "*2 Only patients enrolled in Japan.")),
    (("7.3 用量の目安(架空)",
      "1) 通常用量は25 mgとする。",
      "2) 減量時は15 mgとする。"),
     ()),
)
FOOTNOTE_CAPTION = "図1 架空の図"  # small type in the middle of page 3: a caption, not a footnote
# Page 4: a caption over a ruled table whose cells carry markers, and three notes under it:
# the page's own text is mostly notes, so only the document's body size sets them apart.
FOOTNOTE_TABLE_PAGE = (("7.4 有害事象*3",),
                       ("a) 重篤な事象を含む。", "b) 因果関係が否定できない事象。", "*3 日本人患者のみ。"))
FOOTNOTE_TABLE = (("事象", "例数(%)"), ("発熱a)", "12 (25.0)"), ("好中球減少症b)", "8 (16.7)"))


def _small_ruled_table(canvas: Any, top: float, rows: Sequence[Sequence[str]], widths: Sequence[float],
                       left: float = MARGIN) -> float:
    """A ruled table of one-line cells from ``top`` down, its left edge at ``left``; returns its bottom."""
    xs = [left + sum(widths[:k]) for k in range(len(widths) + 1)]
    for row in rows:
        for x, cell in zip(xs, row):
            _draw(canvas, x + CELL_PAD, top - LEADING + CELL_PAD, cell, 100.0)
        canvas.line(xs[0], top, xs[-1], top)
        for x in xs:
            canvas.line(x, top, x, top - LEADING * 1.5)
        top -= LEADING * 1.5
    canvas.line(xs[0], top, xs[-1], top)
    return top


def make_footnotes(out: Path) -> Path:
    """Four pages of body text in 9 pt with footnotes in 7.5 pt at the foot of the first
    two (markers 1) 2) *1, a) *2, one note wrapped onto an indented line), a page number under
    the notes; the third page ends with a numbered list in body type and has a small caption
    between its body lines, neither of which is a footnote; the fourth holds a ruled table
    whose notes (a) b) *3) outnumber the page's body lines."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setLineWidth(0.5)
    fonts()
    for n, (body, notes) in enumerate((*FOOTNOTE_PAGES, FOOTNOTE_TABLE_PAGE), start=1):
        y = A4[1] - 2 * MARGIN
        for k, line in enumerate(body):
            _draw(canvas, MARGIN, y, line, 100.0)
            y -= LEADING
            if n == 3 and k == 0:
                _draw(canvas, MARGIN + 40, y, FOOTNOTE_CAPTION, 100.0, FOOTNOTE_SIZE)
                y -= LEADING
        if n == 4:
            _small_ruled_table(canvas, y, FOOTNOTE_TABLE, (120.0, 80.0))
        y = MARGIN + 2 * LEADING + LEADING * len(notes)
        for line in notes:
            _draw(canvas, MARGIN, y, line, 100.0, FOOTNOTE_SIZE)
            y -= LEADING * FOOTNOTE_SIZE / BASE_SIZE
        _draw(canvas, A4[0] / 2 - 10, MARGIN / 2, f"- {n} -", 100.0)
        canvas.showPage()
    canvas.save()
    return out


# --------------------------------------------------------------------------- tables (make_tables)

# A ruled adverse-reaction table whose SOC cells span their PT rows (no rule between those rows
# in the SOC column), a bordered empty cell, and an SOC printed on two lines in its cell.
# Cells: (row, col, row_span, col_span, printed lines).
SOC_HEADER = ("器官別大分類", "副作用", "全Grade n(%)", "Grade 3以上 n(%)")
SOC_CELLS = (
    *((0, c, 1, 1, (h,)) for c, h in enumerate(SOC_HEADER)),
    (1, 0, 3, 1, ("血液および", "リンパ系障害")),
    (1, 1, 1, 1, ("好中球減少症",)), (1, 2, 1, 1, ("41 (45.6)",)), (1, 3, 1, 1, ("30 (33.3)",)),
    (2, 1, 1, 1, ("貧血",)), (2, 2, 1, 1, ("20 (22.2)",)), (2, 3, 1, 1, ("8 (8.9)",)),
    (3, 1, 1, 1, ("血小板減少症",)), (3, 2, 1, 1, ("12 (13.3)",)), (3, 3, 1, 1, ("5 (5.6)",)),
    (4, 0, 2, 1, ("胃腸障害",)),
    (4, 1, 1, 1, ("悪心",)), (4, 2, 1, 1, ("12 (13.3)",)), (4, 3, 1, 1, ("0",)),
    (5, 1, 1, 1, ("下痢",)), (5, 2, 1, 1, ("9 (10.0)",)), (5, 3, 1, 1, ("1 (1.1)",)),
    (6, 0, 1, 1, ("一般・全身障害",)),
    (6, 1, 1, 1, ("発熱",)), (6, 2, 1, 1, ("15 (16.7)",)), (6, 3, 1, 1, ("",)),
)
SOC_COLS = (130.0, 100.0, 90.0, 100.0)
# A CRS management table: a grade cell spanning two symptom rows, and an action cell spanning
# the same two rows in the last column (a covered cell right of a real one).
CRS_CELLS = (
    (0, 0, 1, 1, ("重症度",)), (0, 1, 1, 1, ("症状",)), (0, 2, 1, 1, ("処置",)),
    (1, 0, 2, 1, ("Grade 1",)), (1, 1, 1, 1, ("発熱",)), (1, 2, 2, 1, ("解熱剤を投与する",)),
    (2, 1, 1, 1, ("倦怠感",)),
    (3, 0, 1, 1, ("Grade 2",)), (3, 1, 1, 1, ("低血圧",)), (3, 2, 1, 1, ("トシリズマブを投与する",)),
)
CRS_COLS = (80.0, 100.0, 160.0)
# A booktabs table (rules above and below the header and at the end, no vertical rule) and a
# borderless one: columns placed by position, no space characters between them.
LAB_HEADER = (("検査項目", "投与前", "投与後", "変化量"), ("", "(n=90)", "(n=88)", ""))  # two lines
LAB_ROWS = (
    ("好中球数 (/μL)", "2,350", "1,820", "-530"),
    ("ヘモグロビン (g/dL)", "12.1", "10.9", "-1.2"),
    ("血小板数 (10^4/μL)", "21.5", "15.3", "-6.2"),
    ("AST (U/L)", "24", "31", "7"),
)
LAB_COLS = (150.0, 70.0, 70.0, 70.0)
# Two more booktabs tables of the same width, each under its own caption, with the grade
# columns under a label printed across them: left-aligned with the first and running over the
# second (a label spanning both), then centred over the two (whose columns are not sure).
AE_TITLES = (("副作用", "例数 (%) 安全性解析対象集団 (N=90)"), ("副作用", "例数 (%)"))
AE_HEADER = ("", "全Grade", "Grade 3以上")
AE_ROWS = (("好中球減少症", "41 (45.6)", "30 (33.3)"), ("貧血", "20 (22.2)", "8 (8.9)"),
           ("発熱", "15 (16.7)", "1 (1.1)"))
AE_COLS = (150.0, 105.0, 105.0)
BORDERLESS_HEADER = ("投与群", "例数", "奏効率 (%)", "95%信頼区間")
BORDERLESS_ROWS = (
    ("架空マブ群", "90", "45.6", "35.0, 56.4"),
    ("対照群", "88", "20.5", "12.6, 30.4"),
    ("全体", "178", "33.1", "26.3, 40.6"),
)
BORDERLESS_COLS = (110.0, 60.0, 90.0, 110.0)


def _spanned_grid(canvas: Any, top: float, widths: Sequence[float],
                  cells: Sequence[tuple[int, int, int, int, tuple[str, ...]]]) -> float:
    """Each cell as its own ruled rectangle (a spanning cell has no rule inside it), its lines
    from the cell's top; returns the table's bottom."""
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    row_h = LEADING + 4
    for row, col, rows, cols, lines in cells:
        y_top = top - row * row_h
        canvas.rect(xs[col], y_top - rows * row_h, xs[col + cols] - xs[col], rows * row_h)
        for k, line in enumerate(lines):
            _draw(canvas, xs[col] + CELL_PAD, y_top - LEADING * (k + 1) + 2, line, 100.0)
    n_rows = max(row + rows for row, _, rows, _, _ in cells)
    return top - n_rows * row_h


def _positioned_rows(canvas: Any, top: float, widths: Sequence[float],
                     rows: Sequence[Sequence[str]]) -> float:
    """Rows of cells drawn at column positions (no space characters between them); returns
    the baseline of the last row."""
    xs = [MARGIN + sum(widths[:c]) for c in range(len(widths))]
    y = top
    for row in rows:
        for x, cell in zip(xs, row):
            _draw(canvas, x, y, cell, 100.0)
        y -= LEADING
    return y + LEADING


def make_soc_table(out: Path) -> Path:
    """Page 1: a caption, the ruled SOC/PT table with row spans, a closing line; then a second
    caption and the CRS management table with row spans in its first and last columns."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setLineWidth(0.5)
    fonts()
    y = A4[1] - 2 * MARGIN
    _draw(canvas, MARGIN, y, "表 1 主な副作用(架空)", 100.0)
    bottom = _spanned_grid(canvas, y - 6, SOC_COLS, SOC_CELLS)
    _draw(canvas, MARGIN, bottom - LEADING, "副作用の発現状況は上表のとおりであった。", 100.0)
    y = bottom - 4 * LEADING
    _draw(canvas, MARGIN, y, "表 2 CRSの管理(架空)", 100.0)
    _spanned_grid(canvas, y - 6, CRS_COLS, CRS_CELLS)
    canvas.showPage()
    canvas.save()
    return out


def make_booktabs_table(out: Path) -> Path:
    """A caption, then a table with horizontal rules only (above and below its two-line
    header, and at the end a thin filled box, as many layout programs draw rules), a
    sentence after it; then two more captions and tables of the same width whose first header
    line has a label across two columns (``AE_TITLES``)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setLineWidth(0.5)
    fonts()
    y = A4[1] - 2 * MARGIN
    _draw(canvas, MARGIN, y, "表 2 臨床検査値の推移(架空)", 100.0)
    right = MARGIN + sum(LAB_COLS)
    rule = y - LEADING * 0.6
    canvas.line(MARGIN, rule, right, rule)
    _positioned_rows(canvas, rule - LEADING * 0.9, LAB_COLS, LAB_HEADER)
    rule -= LEADING * (len(LAB_HEADER) + 0.3)
    canvas.line(MARGIN, rule, right, rule)
    last = _positioned_rows(canvas, rule - LEADING * 0.9, LAB_COLS, LAB_ROWS)
    rule = last - LEADING * 0.5
    canvas.rect(MARGIN, rule - 0.8, right - MARGIN, 0.8, stroke=0, fill=1)  # a rule drawn as a thin box
    _draw(canvas, MARGIN, rule - 2 * LEADING, "いずれの変化も臨床的に問題とならなかった。", 100.0)
    for n, (title, centred) in enumerate(zip(AE_TITLES, (False, True)), start=3):
        rule = _booktabs_ae(canvas, rule - 5 * LEADING, f"表 {n} 主な副作用(架空)", title, centred)
    canvas.showPage()
    canvas.save()
    return out


def _booktabs_ae(canvas: Any, y: float, caption: str, title: tuple[str, str], centred: bool) -> float:
    """A caption and an ``AE_`` booktabs table whose first header line has ``title``: the stub
    label, then a label left-aligned with the first grade column or ``centred`` over both;
    returns the height of its last rule."""
    right = MARGIN + sum(AE_COLS)
    _draw(canvas, MARGIN, y, caption, 100.0)
    rule = y - LEADING * 0.6
    canvas.line(MARGIN, rule, right, rule)
    baseline = rule - LEADING * 0.9
    _draw(canvas, MARGIN, baseline, title[0], 100.0)
    span_left, span_width = MARGIN + AE_COLS[0], AE_COLS[1] + AE_COLS[2]
    offset = (span_width - text_width(title[1])) / 2 if centred else 0.0
    _draw(canvas, span_left + offset, baseline, title[1], 100.0)
    _positioned_rows(canvas, baseline - LEADING, AE_COLS, [AE_HEADER])
    rule -= LEADING * 2.3
    canvas.line(MARGIN, rule, right, rule)
    last = _positioned_rows(canvas, rule - LEADING * 0.9, AE_COLS, AE_ROWS)
    rule = last - LEADING * 0.5
    canvas.line(MARGIN, rule, right, rule)
    return rule


def make_borderless_table(out: Path) -> Path:
    """A paragraph, a ``表 3`` caption, a table without any rule (columns placed by position),
    a paragraph after it; and, lower on the page, aligned lines with no caption (a list
    printed in columns), which must stay text."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    y = A4[1] - 2 * MARGIN
    _draw(canvas, MARGIN, y, "主要評価項目の結果を表3に示す。", 100.0)
    y -= 2 * LEADING
    _draw(canvas, MARGIN, y, "表 3 奏効率(架空)", 100.0)
    last = _positioned_rows(canvas, y - LEADING, BORDERLESS_COLS, [BORDERLESS_HEADER, *BORDERLESS_ROWS])
    y = last - 2 * LEADING
    _draw(canvas, MARGIN, y, "架空マブ群の奏効率は対照群を上回った。", 100.0)
    _positioned_rows(canvas, y - 3 * LEADING, BORDERLESS_COLS,
                     [("製造販売元", "架空製薬"), ("販売元", "架空薬品"), ("提携", "架空社")])
    canvas.showPage()
    canvas.save()
    return out


TABLES = {
    "soc_table.pdf": make_soc_table,
    "booktabs_table.pdf": make_booktabs_table,
    "borderless_table.pdf": make_borderless_table,
}


def _build_all(builders: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: build(out_dir / name) for name, build in builders.items()}


def make_tables(out_dir: Path) -> dict[str, Path]:
    """Every table fixture (row spans, horizontal rules only, no rules), by file name."""
    return _build_all(TABLES, out_dir)


def _draw_booktabs(canvas: Any, top: float, rows: Sequence[str], left: float, avail: float) -> None:
    """``_draw_table`` in the booktabs style: the same cells, rules only above and below the
    first row and under the last, no vertical rule."""
    scale, col_w, cells = _table_geometry(rows, avail)
    xs = [left]
    for w in col_w:
        xs.append(xs[-1] + w)
    ys = [top - LEADING * i for i in range(len(cells) + 1)]
    for y in (ys[0], ys[1], ys[-1]):
        canvas.line(xs[0], y, xs[-1], y)
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            _draw(canvas, xs[c] + CELL_PAD, ys[r + 1] + (LEADING - BASE_SIZE) / 2 + BASE_SIZE * 0.15,
                  cell, scale)


BORDERLESS_GAP = 8.0  # points of white added between the columns of a table drawn without rules


def _draw_borderless(canvas: Any, top: float, rows: Sequence[str], left: float, avail: float) -> None:
    """``_draw_table`` without any rule, the columns ``BORDERLESS_GAP`` further apart (the
    white is all that sets them apart)."""
    n_cols = max(len(row.split("\t")) for row in rows)
    scale, col_w, cells = _table_geometry(rows, avail - BORDERLESS_GAP * (n_cols - 1))
    xs = [left]
    for w in col_w:
        xs.append(xs[-1] + w + BORDERLESS_GAP)
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            _draw(canvas, xs[c] + CELL_PAD, top - LEADING * (r + 1) + (LEADING - BASE_SIZE) / 2 + BASE_SIZE * 0.15,
                  cell, scale)


def render_booktabs(src: Path, out_dir: Path, *, borderless: bool = False) -> Path:
    """``render_document`` with every table drawn in the booktabs style (``_draw_booktabs``),
    or with no rule at all (``borderless``: ``_draw_borderless``)."""
    from extract.load.text import load_text

    doc = load_text(src.read_bytes(), str(src))
    return render_text(doc.text, out_dir / (src.stem + ".pdf"), title=src.stem,
                       draw_table=_draw_borderless if borderless else _draw_booktabs)


# A fictional current-format insert laid out as real ones are: a header band (dates left, a
# ruled approval table right) over a full-width rule; two columns, the left opening with a
# boxed warning; a ruled table across both columns in the middle of the page; two columns
# again, the right holding a ruled table with its note under it. Each column's lines, in
# reading order, are the ``INSERT_*`` tuples (wrapped at ``COLUMN_CHARS``).
INSERT_HEADER = ("2026年1月作成(第1版)", "貯法:室温保存", "有効期間:3年")
INSERT_APPROVAL = (("承認番号", "30800AMX00001"), ("販売開始", "2026年1月"))
INSERT_TOP_LEFT = ("1. 警告", "1.1 本剤は緊急時に十分対応できる医療施設において投与すること。",
                   "2. 禁忌(次の患者には投与しないこと)", "2.1 本剤の成分に対し過敏症の既往歴のある患者",
                   "3. 組成・性状", "1錠中に架空成分25mgを含有する。")
INSERT_TOP_RIGHT = ("4. 効能又は効果", "架空症候群", "5. 効能又は効果に関連する注意",
                    "5.1 診断の確定した患者に投与すること。", "6. 用法及び用量",
                    "通常、成人には1日1回25mgを経口投与する。")
INSERT_WIDE_TABLE = (("副作用", "5%以上", "1~5%未満", "頻度不明"), ("消化器", "悪心", "下痢", "口内炎"),
                     ("皮膚", "発疹", "そう痒", "脱毛"))
INSERT_LOW_LEFT = ("7. 用法及び用量に関連する注意", "7.1 肝機能障害患者では減量を考慮すること。",
                   "8. 重要な基本的注意", "8.1 投与開始前に肝機能検査を行うこと。",
                   "9. 特定の背景を有する患者に関する注意", "9.1 合併症・既往歴等のある患者")
INSERT_LOW_RIGHT_ABOVE = ("10. 相互作用", "10.2 併用注意(併用に注意すること)")
INSERT_RIGHT_TABLE = (("薬剤名等", "措置方法"), ("架空薬A注1)", "減量する"))
INSERT_RIGHT_NOTE = "注1) 国内未承認"
INSERT_LOW_RIGHT_BELOW = ("11. 副作用", "次の副作用があらわれることがあるので、観察を十分に行うこと。")


def _column_lines(canvas: Any, x: float, top: float, paragraphs: Sequence[str]) -> float:
    """Paragraphs wrapped at ``COLUMN_CHARS`` from the baseline ``top`` down; the next baseline."""
    for line in wrap_fixed(paragraphs):
        _draw(canvas, x, top, line, 100.0)
        top -= LEADING
    return top


def make_insert_layout(out: Path) -> Path:
    """The page described above ``INSERT_HEADER`` (fictional wording)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    fonts()
    right = A4[0] / 2 + 10
    y = A4[1] - MARGIN - LEADING
    for k, line in enumerate(INSERT_HEADER):
        _draw(canvas, MARGIN, y - k * LEADING, line, 100.0)
    _small_ruled_table(canvas, y + LEADING - CELL_PAD, INSERT_APPROVAL, (80.0, 100.0), left=right)
    y -= LEADING * len(INSERT_HEADER)
    canvas.rect(MARGIN, y, A4[0] - 2 * MARGIN, 2, fill=1)  # the rule under the header band
    y -= LEADING * 1.5
    box_top = y + LEADING - CELL_PAD
    bottom = _column_lines(canvas, MARGIN + CELL_PAD, y, INSERT_TOP_LEFT[:2])
    canvas.rect(MARGIN, bottom + LEADING - CELL_PAD, A4[0] / 2 - MARGIN - 10, box_top - bottom - LEADING + CELL_PAD)
    left_end = _column_lines(canvas, MARGIN, bottom - LEADING * 0.5, INSERT_TOP_LEFT[2:])
    right_end = _column_lines(canvas, right, y, INSERT_TOP_RIGHT)
    y = min(left_end, right_end)
    y = _small_ruled_table(canvas, y, INSERT_WIDE_TABLE, (130.0, 130.0, 130.0, 125.0)) - LEADING * 1.5
    _column_lines(canvas, MARGIN, y, INSERT_LOW_LEFT)
    table_top = _column_lines(canvas, right, y, INSERT_LOW_RIGHT_ABOVE) + LEADING - CELL_PAD
    below = _small_ruled_table(canvas, table_top, INSERT_RIGHT_TABLE, (120.0, 100.0), left=right)
    _draw(canvas, right, below - LEADING + CELL_PAD, INSERT_RIGHT_NOTE, 100.0, FOOTNOTE_SIZE)
    _column_lines(canvas, right, below - LEADING * 2, INSERT_LOW_RIGHT_BELOW)
    _draw(canvas, A4[0] / 2 - 10, MARGIN, "- 1 -", 100.0)
    canvas.showPage()
    canvas.save()
    return out


# A fictional insert whose font maps every glyph but one symbol (※) to Unicode: the entry of
# that glyph is blanked out of the ToUnicode map, so pdfminer gives ``(cid:N)`` for it alone.
# Page 1 prints it only apart (a note mark before a space or at a line's end); page 2 also
# inside a word.
UNMAPPED_SYMBOL_PAGES = (
    ("2026年1月作成(第1版)", "架空錠10mg", "効能又は効果", "架空症候群", "用法及び用量",
     "通常、成人には1日1回10mgを経口投与する。", "※ 承認外の用法は含まない。", "注意事項は別紙参照 ※"),
    ("重要な基本的注意", "投与前に肝機能検査を行うこと。", "臨床成績", "奏効率は42.5%であった。",
     "本剤の投与※後は経過を観察すること。"),
)
UNMAPPED_SYMBOL = "※"


def make_unmapped_symbol(out: Path) -> Path:
    """Two pages in IPAex Gothic whose ToUnicode map lacks the entry of ``UNMAPPED_SYMBOL``
    (blanked to a comment of the same length, so the xref offsets stay right)."""
    if _find_ipaex() is None:
        raise RuntimeError("the unmapped-symbol fixture needs IPAex Gothic (fonts-ipaexfont-gothic)")
    import re

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1, pageCompression=0)
    for lines in UNMAPPED_SYMBOL_PAGES:
        placed = [(A4[1] - 2 * MARGIN - LEADING * 1.2 * k, line) for k, line in enumerate(lines)]
        # lines holding the symbol first: it gets the subset's first code (below 0x20), where
        # no standard encoding has a character pdfminer could fall back to
        for y, line in sorted(placed, key=lambda item: UNMAPPED_SYMBOL not in item[1]):
            canvas.setFont(fonts().names[0], BASE_SIZE + 1)
            canvas.drawString(MARGIN * 2, y, line)
        canvas.showPage()
    canvas.save()
    target = f"<{ord(UNMAPPED_SYMBOL):04X}>".encode()
    pdf, n = re.subn(rb"<([0-9A-F]{2,4})> " + target, lambda m: b"%" + b" " * (len(m.group()) - 1),
                     buf.getvalue())
    if n != 1:
        raise RuntimeError(f"expected one ToUnicode entry for {UNMAPPED_SYMBOL}, found {n}")
    out.write_bytes(pdf)
    return out


LAYOUTS = {
    "two_column.pdf": make_two_column,
    "three_column.pdf": make_three_column,
    "two_column_notes.pdf": make_two_column_notes,
    "column_notes.pdf": make_column_notes,
    "rmp_table.pdf": make_rmp_table,
    "furniture.pdf": make_furniture,
    "vertical.pdf": make_vertical,
    "footnotes.pdf": make_footnotes,
    "unmapped_symbol.pdf": make_unmapped_symbol,
    "insert_layout.pdf": make_insert_layout,
}


def make_layouts(out_dir: Path) -> dict[str, Path]:
    """Every page-layout fixture, by file name."""
    return _build_all(LAYOUTS, out_dir)


# --------------------------------------------------------------------------- OCR fixtures
# A fictional package insert whose second page is a scan (an image, no text objects) and whose
# third page is drawn in an embedded font whose ToUnicode map was removed: both pages are read
# by Tesseract. Large clear type, as a good office scan gives.

OCR_TEXT_PAGE = (
    "2026年1月作成(第1版)",
    "抗悪性腫瘍剤",
    "架空錠25mg",
    "(本文書は試験用の架空の添付文書である)",
    "",
    "販売名　　架空錠25mg",
    "一般名　　カクウチニブ(Kakuutinib)",
    "承認番号　　30800AMX00999000",
    "製造販売元　　架空製薬株式会社",
    "",
    "【効能・効果】",
    "再発又は難治性の架空リンパ腫",
    "",
    "【用法・用量】",
    "通常、成人にはカクウチニブとして1日1回25mgを経口投与する。",
)
OCR_SCANNED_PAGE = (
    "【使用上の注意】",
    "3. 副作用",
    "(1) 重大な副作用",
    "1) 好中球減少(81.9%)",
    "2) 間質性肺疾患(4.2%)",
    "Neutropenia 81.9%",
)
OCR_BROKEN_FONT_PAGE = (
    "(2) その他の副作用",
    "発疹(12.5%)",
    "Rash 12.5%",
)
OCR_DPI = 200     # resolution of the scanned page image
OCR_FONT_PT = 16  # type size on the scanned and broken-font pages


def _scan_page(canvas: Any, lines: Sequence[str]) -> None:
    """Draw ``lines`` as one page-sized greyscale image (no text objects)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader

    scale = OCR_DPI / 72
    size = (int(A4[0] * scale), int(A4[1] * scale))
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    ipaex = _find_ipaex()
    px = int(OCR_FONT_PT * scale)
    font = ImageFont.truetype(ipaex, px) if ipaex else ImageFont.load_default()
    for i, line in enumerate(lines):
        draw.text((int(MARGIN * scale), int(MARGIN * scale) + int(2 * px) * i), line, fill=0, font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    canvas.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])


def _text_page(canvas: Any, lines: Sequence[str], size: float) -> None:
    for i, line in enumerate(lines):
        t = canvas.beginText(MARGIN, A4[1] - MARGIN - size - 2 * size * i)
        for name, run in _runs(line, fonts()):
            t.setFont(name, size)
            t.textOut(run)
        canvas.drawText(t)


def _drop_to_unicode(pdf: bytes) -> bytes:
    """Blank every ``/ToUnicode n 0 R`` entry (same length, so the xref offsets stay right):
    the glyphs still print, but no text can be read from them."""
    import re

    return re.sub(rb"/ToUnicode\s+\d+\s+\d+\s+R", lambda m: b" " * len(m.group()), pdf)


def _canvas_pdf(draw_pages: Sequence[Any]) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=1)
    for draw in draw_pages:
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def make_ocr_package_insert(out: Path) -> Path:
    """Three pages: text, a scan, and text in an embedded font without a ToUnicode map (drawn
    as a PDF of its own, its maps removed, then appended, so page 1 keeps its map)."""
    import pypdfium2

    if _find_ipaex() is None:
        raise RuntimeError("the OCR fixture needs IPAex Gothic (fonts-ipaexfont-gothic)")
    good = _canvas_pdf([lambda c: _text_page(c, OCR_TEXT_PAGE, BASE_SIZE + 2),
                        lambda c: _scan_page(c, OCR_SCANNED_PAGE)])
    broken = _drop_to_unicode(_canvas_pdf([lambda c: _text_page(c, OCR_BROKEN_FONT_PAGE, OCR_FONT_PT)]))
    merged = pypdfium2.PdfDocument(good)
    merged.import_pages(pypdfium2.PdfDocument(broken))
    merged.save(str(out))
    merged.close()
    return out


OCR_FIXTURES = {"ocr_package_insert.pdf": make_ocr_package_insert}


def make_ocr_fixtures(out_dir: Path) -> dict[str, Path]:
    """Every OCR fixture, by file name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: build(out_dir / name) for name, build in OCR_FIXTURES.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                        help="folder of seed .txt documents (skipped when absent)")
    parser.add_argument("--bad", action="store_true",
                        help="also write the bad-input, page-layout and OCR PDFs")
    args = parser.parse_args(argv)
    for path in render_corpus(args.out, sources(args.seeds)):
        print(path)
    if args.bad:
        for path in make_bad_inputs(args.out / "bad").values():
            print(path)
        for path in make_layouts(args.out / "layout").values():
            print(path)
        for path in make_ocr_fixtures(args.out / "ocr").values():
            print(path)
        for path in make_tables(args.out / "tables").values():
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
