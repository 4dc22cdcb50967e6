"""PDF bytes to a ``Document``: the package's only pdfplumber import.

One pass per page: pdfplumber gives the text lines (reading order, spaces kept as printed, so
indentation and column gaps survive) and the tables; each table's rows replace the text lines
inside its box as tab-separated lines (the same shape as the markdown text loader);
vertical gaps become blank lines (paragraph breaks, as in text documents); and the page's objects are released before the next page is read (``page.close()``), so memory
stays flat however long the document is.

Tables (each case has a generated fixture in ``scripts/make_pdfs.py``, ``make_tables``):

- Ruled grids (``RULED_TABLES``: pdfplumber's ``lines`` strategies). A cell merged across rows
  or columns is kept once, in its first row and column, with its ``row_span``/``col_span``
  measured from its box (``cell_spans``): pdfplumber gives None both under a value merged
  down and right of one merged across, and only the box tells them apart (an empty bordered
  cell is "" and spans nothing). In the text, the rows under a merged value keep an empty
  piece in its column (``\\t貧血\\t20 (22.2)``), as a markdown table does.
- Horizontal rules only (booktabs, common in package inserts): three or more rules of the same
  width (above the header, below it, at the end) that no vertical rule crosses bound a region
  read with pdfplumber's ``text`` strategies (``UNRULED_TABLES``) or, when that reading is
  refused, with its column lines placed in the white every body line leaves. Above the second
  rule is the header: each label goes to the column whose values it is aligned with, spanning
  the columns whose values it runs over (``例数 (%)`` over its grade columns: one header row per
  line), or to the columns it is centred over; a label whose column is not sure leaves the
  whole table as text.
- No rules at all: only under a ``表 N``/``Table N`` caption (one blank line between at most),
  over three or more lines with no blank line between them whose columns are separated by
  white (not printed spaces, ``COLUMN_GAP`` ems at least) aligned down every line.
- Either unruled kind is kept only when it is surely a table (``_accept``: two columns and two
  rows at least, every character of the region inside the table, no printed line crossing a
  column boundary, two thirds of the rows with two cells or more); otherwise the lines stay
  text, with their printed spaces, as before. A wrapped cell in an unruled table reads as
  one row per printed line.

Layout, read from the characters' geometry (each case has a generated fixture in
``scripts/make_pdfs.py``, ``make_layouts``):

- Columns (``find_columns``): a page without ruled tables whose text has N-1 vertical
  gutters (N from 2 to ``MAX_COLUMNS``, more tried first), each near where equal columns would
  put it and crossed by no line inside the column region, is read full-width text above,
  each column top to bottom from left to right, full-width text below (the page's reason
  says "two columns…", "three columns…"). Forms, indented lists and unruled tables are not
  columns (see ``find_columns`` for the tests); a page that is not clearly in columns keeps
  the single top-to-bottom flow.
- Page furniture (``classify_furniture``): running headers/footers, page numbers that rise
  with the pages (``- 3 -``, ``3 / 12``, ``3``, ``Page 3``) and "Confidential"/社外秘 marks, at the
  top or bottom tenth of a page, are removed from the text and recorded on the page
  (``RawPage.furniture``, then ``Document.furniture``: page, kind, text).
- Footnotes (``footnote_items``): the lines that end a page in smaller type than its body
  (``small_type``: below ``SMALL_TYPE`` of the median line's type size), from the first that
  opens with a marker (``1)``, ``*1``, ``注1)``, ``※``), stay in the text where they were
  printed and are reported as ``RawPage.footnote_lines``; ``layout.find_footnotes`` turns them
  into ``Document.footnotes`` linked to their markers in the body (``25 mg1)``).
- Vertical text (``is_vertical``): characters stacked down columns rather than along lines
  are read with pdfplumber's ``line_dir="rtl", char_dir="ttb"`` settings, one output line per
  printed column, right to left (the page's reason says so).

Text engine: pdfplumber for every page. Measured on the 11 clean renditions of the samples
and seeds (156 pages without tables): pypdfium2's ``get_text_bounded`` is about 50x faster
(0.6 s against 28-36 s for this module's pass) but gives different text on every page that
has runs of spaces (it collapses them: indentation and column gaps are lost) and, with
whitespace normalised, still on 15 pages (a line-final hyphen becomes U+0002 and the line is
joined to the next). Extractors rely on the printed spaces and line breaks, so pdfium is used
only to recover pages whose fonts pdfplumber cannot map. Building lines from pdfium's
per-character boxes was measured too (13x faster than pdfminer at listing characters): its
text page drops printed spaces inside runs of spaces (``目         的`` loses them), marks
line-final hyphens U+0002, and its boxes differ from pdfminer's by up to 1.4 pt, so the same
line rules would not give the same text.

Where the time goes (cProfile, a 47-page rendition): pdfminer interpreting the content streams
and building its ``LTChar`` objects about 55 %, pdfplumber turning each into a dict about 30 %
(every attribute through ``resolve_all``, the colour-space name decoded per character), text
lines, columns and tategaki checks the rest. ``_FastChars`` builds the same dicts (equal, key
for key, tested on every rendition) without the generic resolution: parsing a page's
objects takes 1.4-1.9x less CPU time (measured on the renditions).

Pages whose text is not real text are never passed on as text (facts must not be read from
garbage); the page is kept, blank, with status ``"unreadable"`` and the reason:

- ``(cid:N)`` tokens (a font without a ToUnicode map): up to ``MAX_STRAY_SHARE`` of the page's
  characters and ``MAX_STRAY`` tokens are tolerated (a bullet from a symbol font) and replaced by
  U+FFFD; more makes the page unreadable. The same limits apply to private-use characters
  and to control characters (what pdfium gives for the same glyphs).
- an implausible mix of scripts (Arabic, Hebrew, Canadian syllabics… in a Japanese or English
  regulatory document): what pdfium and MuPDF produce from the same broken fonts.
- image-only pages (no characters, at least one image): scanned.

For a broken-font page pypdfium2's text is tried first and kept only if it passes the same
checks. Image-only or still-broken pages are OCR'd with Tesseract when ``tesseract`` is on PATH
and ``ocr`` is not ``"never"`` (status ``"ocr"``); ``ocr="always"`` OCRs every page. Tesseract
runs with ``TESSERACT_ARGS`` on the page rendered at ``OCR_DPI``; a line it spaced out
character by character ("重 大 な") is joined (``despace_japanese``). Tested with the real
Tesseract on a generated scan and a broken-font page (``tests/test_ocr.py``).

Limits: at most ``MAX_BYTES`` (200 MB) of input and ``MAX_PAGES`` (2,000) pages; Tesseract gets
``OCR_TIMEOUT_S`` (300) seconds per page and a page image of at most ``OCR_MAX_PIXELS`` (40 M)
pixels at up to ``OCR_DPI`` (300) dpi. Bad documents raise ``InputError`` naming the file and the
reason: not a PDF, truncated or corrupt, encrypted without (or with a wrong) password, zero
pages, too large, or no readable text on any page.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.errors import InputError, missing_dependency
from extract.load.layout import FOOTNOTE_START, RawPage, RawTable, build_document, tab_columns
from extract.model import Document, FurnitureKind
from extract.normalize.text import clean_text, join_lines

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
OCR_TIMEOUT_S = 300
OCR_DPI = 300
# Japanese first (the documents' main language; English is recognised well enough as the
# second), automatic page segmentation, and wide printed gaps kept as runs of spaces, as the
# text loader keeps them (a label and its value, table columns).
TESSERACT_ARGS = ("-l", "jpn+eng", "--psm", "3", "-c", "preserve_interword_spaces=1")
OCR_MAX_PIXELS = 40_000_000  # the page image Tesseract gets (about A3 at 400 dpi)
OCR_MODES = ("auto", "always", "never")
TESSERACT_INSTALL = "apt-get install tesseract-ocr tesseract-ocr-jpn"

MAX_STRAY = 10           # (cid:N) tokens or private-use characters tolerated on a page …
MAX_STRAY_SHARE = 0.02   # … and as a share of its visible characters
MAX_FOREIGN_SHARE = 0.05  # letters from scripts these documents never use, as a share of letters
MIN_FOREIGN = 5

# pdfplumber text settings: keep printed spaces (indentation, column gaps); tolerances well
# below a line's height so lines never merge.
TEXT_SETTINGS: dict[str, Any] = {"keep_blank_chars": True, "x_tolerance": 3, "y_tolerance": 3}
RULED_TABLES: dict[str, Any] = {
    "vertical_strategy": "lines", "horizontal_strategy": "lines",
    "text_keep_blank_chars": True,
}

_CID = re.compile(r"\(cid:\d+\)")
_PUA = re.compile(r"[\ue000-\uf8ff]")
# What pdfium gives for glyphs it cannot map (NUL, a missing glyph, is dropped by clean_text).
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
# First word of the Unicode name of letters that belong in Japanese/English documents.
_USUAL_SCRIPTS = frozenset({
    "LATIN", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "GREEK", "FULLWIDTH", "HALFWIDTH", "IDEOGRAPHIC",
    "MICRO", "KANGXI", "CIRCLED", "PARENTHESIZED", "SQUARED", "MODIFIER", "FEMININE",
    "MASCULINE", "SCRIPT", "DOUBLE-STRUCK", "BLACK-LETTER", "PLANCK", "ANGSTROM", "KELVIN",
    "OHM", "NUMERO", "MATHEMATICAL", "SMALL", "ROMAN",
})


def load_pdf(data: bytes, path: str, *, password: str | None = None, ocr: str = "auto") -> Document:
    """Read a PDF's pages into a ``Document`` (``source_format="pdf"``, ``shape="pdf"``)."""
    if ocr not in OCR_MODES:
        raise ValueError(f"ocr must be one of {OCR_MODES}, not {ocr!r}")
    if len(data) > MAX_BYTES:
        raise InputError(path, f"PDF larger than {MAX_BYTES // 2**20} MB")
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, "not a PDF (no %PDF header)")
    if ocr == "always" and not shutil.which("tesseract"):
        raise missing_dependency("tesseract (for --ocr always)", TESSERACT_INSTALL)
    reader = _PdfReader(data, path, password, ocr)
    pages = reader.read_pages()
    _require_text(pages, path)
    return build_document(data=data, path=path, source_format="pdf", shape="pdf", pages=pages)


def _require_text(pages: list[RawPage], path: str) -> None:
    if any(p.status != "unreadable" and any(line.strip() for line in p.lines) for p in pages):
        return
    reasons = sorted({p.reason for p in pages if p.reason})
    if not reasons:
        raise InputError(path, f"no text on any of its {len(pages)} page(s)")
    raise InputError(path, f"no readable text on any of its {len(pages)} page(s): "
                     + "; ".join(reasons))


class _PdfReader:
    """One open PDF, read page by page. pypdfium2 is opened only when a page needs it."""

    def __init__(self, data: bytes, path: str, password: str | None, ocr: str) -> None:
        self.data, self.path, self.password, self.ocr = data, path, password, ocr
        self._pdfium: Any = None

    def read_pages(self) -> list[RawPage]:
        pdf = _open(self.data, self.path, self.password)
        try:
            n = _page_count(pdf, self.path)
            read = [self._page(pdf, i) for i in range(n)]
        finally:
            _close(pdf)
            if self._pdfium is not None:
                self._pdfium.close()
        plumbed = [page for page in read if isinstance(page, _Plumbed)]
        drops = classify_furniture([p.edge_candidates() for p in plumbed], [p.height for p in plumbed])
        body = _median([size for p in plumbed for _, size in p.sized])
        done = {id(p): p.finish(drop, body) for p, drop in zip(plumbed, drops)}
        return [done[id(page)] if isinstance(page, _Plumbed) else page for page in read]

    def _page(self, pdf: Any, index: int) -> RawPage | _Plumbed:
        from pdfminer.psexceptions import PSException
        from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

        number = index + 1
        try:
            page = pdf.pages[index]
        except (PdfminerException, MalformedPDFException, PSException) as exc:
            return RawPage(number, (), (), "unreadable", f"cannot parse page: {_why(exc)}")
        try:
            if self.ocr == "always":
                return self._ocr(page, number, "OCR requested for every page")
            if FAST_CHARS:
                page.process_object = _FastChars(page)
            plumbed = _read_plumber(page, number)
            lines = [text for _, text in plumbed.items()]
            problem = text_problem(lines)
            if problem is None and (lines or not plumbed.has_images):
                return plumbed
            reason = problem or "image-only page (scanned)"
            if problem is not None:
                recovered = self._pdfium_lines(index)
                if recovered is not None:
                    return RawPage(number, recovered, (), "ok",
                                   f"text from pypdfium2 (pdfplumber: {problem})")
            return self._ocr(page, number, reason)
        except (PdfminerException, MalformedPDFException, PSException) as exc:
            return RawPage(number, (), (), "unreadable", f"cannot parse page: {_why(exc)}")
        finally:
            page.close()

    def _pdfium_lines(self, index: int) -> tuple[str, ...] | None:
        """The page's text by pdfium, or None when it is no better (same checks)."""
        import pypdfium2

        try:
            if self._pdfium is None:
                self._pdfium = pypdfium2.PdfDocument(self.data, password=self.password)
            page = self._pdfium[index]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            page.close()
        except (pypdfium2.PdfiumError, IndexError):  # pdfium may see fewer pages than pdfminer
            return None
        text = re.sub(r"\x02(?=\r|\n|$)", "-", text)  # pdfium's mark for a hyphen ending a line
        lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        if not any(ln.strip() for ln in lines) or text_problem(lines) is not None:
            return None
        return tuple(_replace_cids(lines))

    def _ocr(self, page: Any, number: int, reason: str) -> RawPage:
        if self.ocr == "never":
            return RawPage(number, (), (), "unreadable", f"{reason}; OCR disabled (--ocr never)")
        if not shutil.which("tesseract"):
            return RawPage(number, (), (), "unreadable",
                           f"{reason}; OCR needs Tesseract: {TESSERACT_INSTALL}")
        lines, error = _tesseract(page)
        if error:
            return RawPage(number, (), (), "unreadable", f"{reason}; OCR failed: {error}")
        if text_problem(lines) is not None or not any(ln.strip() for ln in lines):
            return RawPage(number, (), (), "unreadable", f"{reason}; OCR found no usable text")
        return RawPage(number, tuple(lines), (), "ocr", f"{reason}; text by OCR (Tesseract)")


def _why(exc: BaseException) -> str:
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    return f"{type(inner).__name__}: {inner}".rstrip(": ")


def _open(data: bytes, path: str, password: str | None) -> Any:
    """Open with pdfplumber, turning its and pdfminer's errors into ``InputError``."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        return pdfplumber.open(io.BytesIO(data), password=password or "")
    except (PdfminerException, MalformedPDFException, PSException) as exc:
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        if isinstance(inner, PDFPasswordIncorrect):
            if password:
                raise InputError(path, "encrypted PDF: wrong password") from exc
            raise InputError(path, "encrypted PDF: password required (use --password)") from exc
        if isinstance(inner, PDFEncryptionError):
            raise InputError(path, f"encrypted PDF: unsupported encryption ({inner})") from exc
        raise InputError(path, f"corrupt or truncated PDF ({_why(exc)})") from exc


def _close(pdf: Any) -> None:
    """Close, even when the page tree is broken (pdfplumber's close walks the pages again;
    the stream is in memory, so nothing is left open when that fails)."""
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        pdf.close()
    except (PdfminerException, MalformedPDFException, PSException):
        pdf.stream.close()


def _page_count(pdf: Any, path: str) -> int:
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        n = len(pdf.pages)
    except (PdfminerException, MalformedPDFException, PSException) as exc:
        raise InputError(path, f"corrupt or truncated PDF: no readable page tree ({_why(exc)})") from exc
    if n == 0:
        raise InputError(path, "PDF has no pages (corrupt, truncated or empty page tree)")
    if n > MAX_PAGES:
        raise InputError(path, f"PDF has {n} pages, more than the limit of {MAX_PAGES}")
    return n


# --------------------------------------------------------------------------- fast characters

FAST_CHARS = True  # False: pdfplumber's own process_object (the tests compare the two)
_PLAIN = frozenset({int, float, str, bool, type(None)})  # exact types, subclasses go the slow way
_PLAIN_OR_TUPLE = _PLAIN | {tuple}


class _FastChars:
    """pdfplumber's ``Page.process_object`` for characters, without its generic machinery.

    Why: turning pdfminer's ``LTChar`` objects into dicts costs pdfplumber about a third of a
    page's reading time (every attribute goes through ``resolve_all``, the colour-space name is
    re-decoded for every character). The dicts built here are equal, key for key, to
    pdfplumber's (``tests/test_pdf.py`` compares the two on every generated PDF); any object
    that is not a plain character (a value that could need resolving, a byte font name,
    Unicode normalisation asked for) goes to pdfplumber's own method."""

    def __init__(self, page: Any) -> None:
        from pdfminer.layout import LTChar
        from pdfplumber.page import ALL_ATTRS

        self.slow = page.process_object
        self.char_type, self.keys = LTChar, ALL_ATTRS
        self.number, self.height = page.page_number, page.height
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.doctop = page.initial_doctop
        self.normalising = page.pdf.unicode_norm is not None
        self.spaces: dict[str, Any] = {}

    def __call__(self, obj: Any) -> dict[str, Any]:
        attr = self._char(obj) if type(obj) is self.char_type and not self.normalising else None
        return self.slow(obj) if attr is None else attr

    def _char(self, obj: Any) -> dict[str, Any] | None:
        keys = self.keys
        attr: dict[str, Any] = {k: v for k, v in obj.__dict__.items() if k in keys}
        types = list(map(type, attr.values()))  # only values resolve_all returns unchanged
        if not _PLAIN_OR_TUPLE.issuperset(types):
            return None
        matrix = attr.get("matrix")
        if types.count(tuple) != (type(matrix) is tuple):  # a tuple other than the matrix
            return None
        if type(matrix) is tuple and not _PLAIN.issuperset(map(type, matrix)):
            return None
        if type(attr.get("fontname")) is not str:
            return None
        attr["object_type"] = "char"
        attr["page_number"] = self.number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                name = getattr(obj, cs).name
                if not isinstance(name, str):
                    return None
                if name not in self.spaces:
                    from pdfplumber.utils.pdfinternals import resolve_and_decode
                    self.spaces[name] = resolve_and_decode(name)
                attr[cs] = self.spaces[name]
        attr["text"] = obj.get_text()
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        if "y0" in attr:
            attr["top"] = (self.height - attr["y1"]) + self.mb_top
            attr["bottom"] = (self.height - attr["y0"]) + self.mb_top
            attr["doctop"] = self.doctop + attr["top"]
        if "x0" in attr and self.mb_x0 != 0:
            attr["x0"] = attr["x0"] + self.mb_x0
            attr["x1"] = attr["x1"] + self.mb_x0
        return attr


# --------------------------------------------------------------------------- one page


Item = tuple[float, str]  # (top of the line on its page, text)


@dataclass(frozen=True)
class _Plumbed:
    """A page read by pdfplumber, laid out only once furniture across pages is known.

    ``segments`` are runs of placed lines in reading order (one run for a plain page; for a
    multi-column page: full-width lines above, each column left to right, lines below);
    ``table_items`` are the placed rows of each table, by identity within ``segments``."""

    number: int
    segments: tuple[tuple[Item, ...], ...]
    tables: tuple[tuple[_FoundTable, tuple[Item, ...]], ...]
    line_height: float
    height: float
    has_images: bool
    note: str = ""
    sized: tuple[tuple[Item, float], ...] = ()  # the text lines with their type size

    def items(self) -> list[Item]:
        return [item for segment in self.segments for item in segment]

    def _plain(self) -> list[Item]:
        in_tables = {id(item) for _, rows in self.tables for item in rows}
        return [item for item in self.items() if id(item) not in in_tables]

    def edge_candidates(self) -> list[Item]:
        """The page's text lines (not table rows), by height on the page."""
        return sorted(self._plain(), key=lambda item: item[0])

    def finish(self, furniture: dict[int, FurnitureKind], document_body: float = 0.0) -> RawPage:
        """Lay the page out without its furniture (``furniture``: indices into
        ``edge_candidates()`` and their kinds, recorded on the page); segments are separated
        by a blank line."""
        candidates = self.edge_candidates()
        drop = {id(candidates[k]) for k in furniture}
        removed = tuple((kind, candidates[k][1].strip()) for k, kind in sorted(furniture.items()))
        lines: list[str] = []
        index: dict[int, int] = {}
        order: list[Item] = []
        for segment in self.segments:
            kept = [item for item in segment if id(item) not in drop]
            if not kept:
                continue
            if lines:
                lines.append("")
            laid, where = _lay_out(kept, self.line_height)
            index.update({key: value + len(lines) for key, value in where.items()})
            lines.extend(laid)
            order.extend(kept)
        tables = tuple(RawTable(table.rows, self.number, header_rows=table.header_rows,
                                first_line=_first_line(list(items), index), spans=table.spans)
                       for table, items in self.tables if table.rows)
        small = small_type([item for item, _ in self.sized], [size for _, size in self.sized], document_body)
        notes = tuple(index[id(item)] for item in footnote_items(order, small))
        return RawPage(self.number, tuple(_replace_cids(lines)), tables, "ok", self.note,
                       furniture=removed, footnote_lines=notes)


def _read_plumber(page: Any, number: int) -> _Plumbed:
    """Lines and ruled tables of one page. Text inside a ruled table is replaced by its rows,
    one tab-separated line per row at the row's height, so cells never interleave. A page of
    plain text in columns is read column by column; tategaki is read column by column from
    the right."""
    tables = [_ruled_table(t, page.chars) for t in page.find_tables(RULED_TABLES)] if page.edges else []
    tables += unruled_tables(page, [t.bbox for t in tables])
    body = page
    for table in tables:
        body = body.outside_bbox(table.bbox, strict=False)  # real tables may overhang the page
    segments, heights, note, sizes = _text_segments(page, body, bool(tables))
    sized = tuple(zip([item for segment in segments for item in segment], sizes))
    found: list[tuple[_FoundTable, tuple[Item, ...]]] = []
    for table in tables:
        items = tuple((top, table.line(r)) for r, top in enumerate(table.tops))
        segments[0].extend(items)
        found.append((table, items))
    if tables:
        segments[0].sort(key=lambda item: item[0])
    heights.sort()
    height = heights[len(heights) // 2] if heights else 0.0
    return _Plumbed(number, tuple(tuple(s) for s in segments), tuple(found), height,
                    float(page.height), bool(page.images), note, sized)


def _text_segments(page: Any, body: Any,
                   has_tables: bool) -> tuple[list[list[Item]], list[float], str, list[float]]:
    """The page's text lines (outside its tables) as reading-order segments, their heights,
    a note on how the page was read ("" for the usual single flow), and each line's type
    size (the largest glyph), in the order of the segments' lines."""
    if not has_tables and is_vertical(page.chars):
        middle = float(page.height) / 2  # never taken for page-edge furniture
        lines = page.extract_text(**VERTICAL_SETTINGS).split("\n")
        return [[(middle, line) for line in lines]], [], VERTICAL_NOTE, []
    text_lines = body.extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)
    columns = None if has_tables else find_columns(word_boxes(text_lines))
    regions = [text_lines] if columns is None else [
        region.extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)
        for region in _regions(page, columns)]
    segments = [[(line["top"], line["text"]) for line in region] for region in regions]
    heights = [line["bottom"] - line["top"] for region in regions for line in region]
    sizes = [_type_size(line) for region in regions for line in region]
    return segments, heights, "" if columns is None else columns_note(len(columns[0]) + 1), sizes


def _type_size(line: dict[str, Any]) -> float:
    """A text line's type size: its largest glyph (a superscript marker is smaller)."""
    return max((float(c["size"]) for c in line["chars"] if not c["text"].isspace()),
               default=float(line["bottom"] - line["top"]))


# --------------------------------------------------------------------------- footnotes

SMALL_TYPE = 0.92  # a footnote's type is at most this share of the body's (9 pt under 10 pt)


def small_type(items: list[Item], sizes: list[float], document_body: float = 0.0) -> frozenset[int]:
    """Ids of the lines printed smaller than the body type: the page's median size, or the
    document's when larger (a page that is mostly a table holds few body lines, and its
    notes may outnumber them)."""
    if not sizes:
        return frozenset()
    body = max(_median(sizes), document_body)
    return frozenset(id(item) for item, size in zip(items, sizes) if size < SMALL_TYPE * body)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


def footnote_items(order: list[Item], small: frozenset[int]) -> list[Item]:
    """The page's footnotes, by geometry: the lines in smaller type that end the page
    (``order``: the page's lines in reading order, furniture removed), from the first of
    them that starts with a footnote marker (``1)``, ``*1``, ``注1)``, ``※``, ``†``). Nothing
    when the whole page is in one size (no body to set them apart from) or no marker opens
    the run. A page number under the notes (one not removed as furniture) is passed over."""
    end = len(order)
    while end and _FURNITURE_NUMBER.match(clean_text(order[end - 1][1]).strip()):
        end -= 1
    run: list[Item] = []
    for item in reversed(order[:end]):
        if id(item) not in small:
            break
        run.append(item)
    if len(run) == end:
        return []
    run.reverse()
    first = next((k for k, item in enumerate(run) if FOOTNOTE_START.match(clean_text(item[1]))), None)
    return [] if first is None else run[first:]


# --------------------------------------------------------------------------- columns

MAX_COLUMNS = 4            # the most columns a page is tried for (newsletter pages have three)
MIN_COLUMN_ROWS = 5        # text lines each column needs before a page counts as columns
MIN_GUTTER = 6.0           # points of white between the columns
COLUMN_FILLED = 1 / 3      # share of a column's lines that run (nearly) up to its gutter
_COUNTS = {2: "two", 3: "three", 4: "four"}
Box = tuple[float, float, float, float]  # a word: (x0, top, x1, bottom)


def word_boxes(text_lines: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """``(x0, top, x1, bottom)`` of the words of pdfplumber text lines (``return_chars``):
    a word ends at a space or at a gap wider than ``x_tolerance``. Taken from the lines the
    page is read with anyway, so column detection costs no second pass over the page."""
    boxes: list[tuple[float, float, float, float]] = []
    gap = float(TEXT_SETTINGS["x_tolerance"])
    for line in text_lines:
        word: list[dict[str, Any]] = []
        for char in [*sorted(line["chars"], key=lambda c: c["x0"]), None]:
            if char is None or char["text"].isspace() or (word and char["x0"] - word[-1]["x1"] > gap):
                if word:
                    boxes.append((word[0]["x0"], min(c["top"] for c in word),
                                  word[-1]["x1"], max(c["bottom"] for c in word)))
                word = [] if char is None or char["text"].isspace() else [char]
            else:
                word.append(char)
    return boxes


def _rows(words: list[tuple[float, float, float, float]]) -> list[list[tuple[float, float, float, float]]]:
    """Words grouped into printed lines (tops within 3 pt), top to bottom."""
    rows: list[list[tuple[float, float, float, float]]] = []
    for word in sorted(words, key=lambda w: (w[1], w[0])):
        if rows and abs(rows[-1][0][1] - word[1]) <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    return rows


def find_columns(words: list[Box]) -> tuple[tuple[float, ...], float, float] | None:
    """``(split x of each gutter, region top, region bottom)`` of a body set in two to
    ``MAX_COLUMNS`` columns, or None. Words are ``(x0, top, x1, bottom)``.

    Why these tests: a form (labels left, values right), an indented list or a table without
    rules also has white down the page, and reading it column by column would separate each
    label from its value. So a page is N columns only when each of its N-1 gutters lies near
    where equal columns would put it (within a third of a column width: the middle third of
    the text for two columns) and is crossed by no line inside the column region (the longest
    run of lines crossing no gutter; the lines above and below it are read full width: a
    title, footnotes, a page number), every column holds at least
    ``MIN_COLUMN_ROWS`` lines and is wide (half an equal column's width or more), and in every
    column but the last most lines run up to the gutter, as wrapped text does and labels do
    not. More columns are tried first: a three-column page must not pass as two columns
    whose right one interleaves two."""
    rows = _rows(words)
    if len(rows) < MIN_COLUMN_ROWS:
        return None
    left, right = min(w[0] for w in words), max(w[2] for w in words)
    counts = _coverage(rows, left, right)
    for n in range(MAX_COLUMNS, 1, -1):
        found = _n_columns(rows, counts, left, right, n)
        if found is not None:
            return found
    return None


def _n_columns(rows: list[list[Box]], counts: list[int], left: float, right: float,
               n: int) -> tuple[tuple[float, ...], float, float] | None:
    """``find_columns`` for exactly ``n`` columns."""
    width = right - left
    reach = width / (3 * n)
    xs: list[float] = []
    for i in range(1, n):
        centre = left + i * width / n
        k = _gutter_k(counts, centre - reach - left, centre + reach - left)
        if k is None:
            return None
        xs.append(left + k)
    crossing = {i for i, row in enumerate(rows) if any(w[0] < x < w[2] for w in row for x in xs)}
    inside = [i for i in range(len(rows)) if i not in crossing]
    run = _longest_run(inside)
    if not run or (len(run) < len(inside) and 2 * len(run) < len(rows)):
        return None  # scattered short lines, none a majority run: not a column layout
    region = rows[run[0]:run[-1] + 1]
    bounds = [-float("inf"), *xs, float("inf")]
    columns = [[(min(w[0] for w in part), max(w[2] for w in part)) for part in
                ([w for w in row if lo < (w[0] + w[2]) / 2 < hi] for row in region) if part]
               for lo, hi in zip(bounds, bounds[1:])]
    if any(len(column) < MIN_COLUMN_ROWS for column in columns):
        return None
    starts = [min(a for a, _ in column) for column in columns]
    ends = [max(b for _, b in column) for column in columns]
    if any(end - start < width / (2 * n) for start, end in zip(starts, ends)):
        return None
    for k in range(n - 1):
        if starts[k + 1] - ends[k] < MIN_GUTTER:
            return None
        reach_gutter = sum(1 for _, end in columns[k] if ends[k] - end <= 0.2 * (ends[k] - starts[k]))
        if reach_gutter < COLUMN_FILLED * len(columns[k]):
            return None
    splits = tuple((ends[k] + starts[k + 1]) / 2 for k in range(n - 1))
    return splits, region[0][0][1], max(w[3] for w in region[-1])


def _longest_run(indices: list[int]) -> list[int]:
    """The longest run of consecutive row indices (the first of equals): the column region.
    Lines crossing a gutter end it; short lines beyond them (a one-line note under a
    full-width footnote, a page number) are read in the full-width flow below. When lines
    crossing no gutter are found outside the run, the run must hold most of the page's lines."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return max(runs, key=len, default=[])


def _coverage(rows: list[list[Box]], left: float, right: float) -> list[int]:
    """For each x = ``left + k`` (1 pt apart), how many lines have a word across it
    (``x0 < x < x1``): one pass over the words, however many gutters are tried."""
    size = int(right - left) + 2
    diff = [0] * (size + 1)
    for row in rows:
        spans = sorted((max(math.floor(w[0] - left) + 1, 0), min(math.ceil(w[2] - left) - 1, size - 1))
                       for w in row)
        merged: list[list[int]] = []
        for a, b in spans:
            if a > b:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            diff[a] += 1
            diff[b + 1] -= 1
    return list(itertools.accumulate(diff[:size]))


def _gutter_k(counts: list[int], lo: float, hi: float) -> int | None:
    """The middle of the widest run of positions in ``[lo, hi]`` crossed by the fewest lines."""
    ks = range(max(math.ceil(lo), 0), min(math.floor(hi), len(counts) - 1) + 1)
    if not ks:
        return None
    fewest = min(counts[k] for k in ks)
    best: tuple[int, int] = (0, ks[0])  # (length, start)
    run = 0
    for k in ks:
        run = run + 1 if counts[k] == fewest else 0
        if run > best[0]:
            best = (run, k - run + 1)
    return best[1] + best[0] // 2


def columns_note(n: int) -> str:
    """The page's reason when it was read in ``n`` columns."""
    return f"{_COUNTS.get(n, str(n))} columns: read column by column"


def _regions(page: Any, columns: tuple[tuple[float, ...], float, float]) -> list[Any]:
    """Full-width text above, each column from left to right, full-width text below: each a
    filtered view of the page holding the characters whose centre lies in it."""
    splits, top, bottom = columns

    def keep(x_lo: float, x_hi: float, y_lo: float, y_hi: float) -> Any:
        def inside(obj: dict[str, Any]) -> bool:
            if obj.get("object_type") != "char":
                return False
            cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
            return x_lo <= cx < x_hi and y_lo <= cy < y_hi
        return page.filter(inside)

    inf = float("inf")
    bounds = [-inf, *splits, inf]
    return [keep(-inf, inf, -inf, top),
            *(keep(lo, hi, top, bottom + 0.01) for lo, hi in zip(bounds, bounds[1:])),
            keep(-inf, inf, bottom + 0.01, inf)]


# --------------------------------------------------------------------------- vertical text

VERTICAL_SETTINGS: dict[str, Any] = {
    "line_dir": "rtl", "char_dir": "ttb", "line_dir_render": "ttb", "char_dir_render": "ltr",
}
MIN_VERTICAL_PAIRS = 10
VERTICAL_NOTE = "vertical text (tategaki): read column by column from the right"


def is_vertical(chars: list[dict[str, Any]]) -> bool:
    """Tategaki: most characters have their next character directly below (same x, the gap
    under a glyph smaller than half its size) rather than directly to the right."""
    glyphs = [c for c in chars if not c["text"].isspace()]
    across = _neighbours(glyphs, "top", "x0", "x1")
    if 3 * across >= len(glyphs) - 1:  # no count of pairs down could exceed it: not tategaki
        return False
    down = _neighbours(glyphs, "x0", "top", "bottom")
    return down >= MIN_VERTICAL_PAIRS and down > 3 * across


def _neighbours(chars: list[dict[str, Any]], axis: str, lo: str, hi: str) -> int:
    """Pairs of characters aligned on ``axis`` (within 1 pt) that follow each other along
    the other direction with a gap under half a glyph."""
    ordered = sorted(chars, key=lambda c: (round(c[axis]), c[lo]))
    count = 0
    for a, b in zip(ordered, ordered[1:]):
        size = max(a["size"], 1.0)
        if abs(a[axis] - b[axis]) <= 1 and -0.1 * size <= b[lo] - a[hi] < 0.5 * size:
            count += 1
    return count


# --------------------------------------------------------------------------- furniture

BAND = 0.1  # share of the page height at the top and at the bottom where furniture lives
_FURNITURE_NUMBER = re.compile(
    r"^[-‐–—]?\s*(\d{1,4})\s*[-‐–—]?$|^(\d{1,4})\s*/\s*\d{1,4}$|^(?:page|p\.)\s*(\d{1,4})$",
    re.IGNORECASE)
_MARK = re.compile(r"^(?:strictly\s+)?confidential$|^(?:社外秘|部外秘|関係者外秘|極秘|機密)$",
                   re.IGNORECASE)


def find_furniture(pages: list[list[Item]], heights: list[float]) -> list[set[int]]:
    """Per page, the indices of its lines that are page furniture and must leave the text
    (``classify_furniture`` without the kinds)."""
    return [set(kinds) for kinds in classify_furniture(pages, heights)]


def classify_furniture(pages: list[list[Item]], heights: list[float]) -> list[dict[int, FurnitureKind]]:
    """Per page, its furniture lines (index → kind), which leave the text but are recorded.

    Only the first two and last two lines of a page, and only inside the top or bottom
    ``BAND`` of its height, are candidates. Of those: a "Confidential"/社外秘 mark
    (``confidential``); a page number (``- 3 -``, ``3 / 12``, ``3``, ``Page 3``) whose value minus
    the page's position is the same on at least two pages (``page-number``); and a running
    line (the same text, or the same but for a number rising with the page: ``Page 3 of 12``)
    found at the same edge of at least half the pages, two at least (``header`` at the top,
    ``footer`` at the bottom). ``pages``: each page's lines as ``(top, text)`` sorted
    by top; ``heights``: each page's height."""
    edges = [_edge_lines(lines, height) for lines, height in zip(pages, heights)]
    kinds: list[dict[int, FurnitureKind]] = [
        {k: "confidential" for k, _, text in found if _MARK.match(text)} for found in edges]
    for hits in _page_numbers(edges).values():
        if len({p for p, _ in hits}) >= 2:
            for p, k in hits:
                kinds[p].setdefault(k, "page-number")
    need = max(2, (len(pages) + 1) // 2)
    for (edge, _text), hits in _running_lines(edges).items():
        if len({p for p, _ in hits}) >= need:
            for p, k in hits:
                kinds[p].setdefault(k, "header" if edge == "top" else "footer")
    return kinds


def _edge_lines(lines: list[Item], height: float) -> list[tuple[int, str, str]]:
    """The candidates of one page: ``(index, "top"|"bottom", text)``."""
    picked = sorted(set(range(min(2, len(lines)))) | set(range(max(len(lines) - 2, 0), len(lines))))
    found = []
    for k in picked:
        top, text = lines[k]
        text = unicodedata.normalize("NFKC", text).strip()
        edge = "top" if top < BAND * height else "bottom" if top > (1 - BAND) * height else ""
        if edge and text:
            found.append((k, edge, text))
    return found


def _page_numbers(edges: list[list[tuple[int, str, str]]]) -> dict[int, list[tuple[int, int]]]:
    """Bare page numbers grouped by value minus page position: ``(page, index)`` lists."""
    offsets: dict[int, list[tuple[int, int]]] = {}
    for p, found in enumerate(edges):
        for k, _, text in found:
            m = _FURNITURE_NUMBER.match(text)
            if m:
                value = int(next(g for g in m.groups() if g))
                offsets.setdefault(value - p, []).append((p, k))
    return offsets


def _running_lines(edges: list[list[tuple[int, str, str]]]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Edge lines with letters, ``(page, index)`` lists keyed by ``(edge, text)`` (spaces
    squeezed), and again by their shape with the first number minus the page position, so
    that "Page 3 of 12" on page 3 and "Page 4 of 12" on page 4 are one running line."""
    keyed: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for p, found in enumerate(edges):
        for k, edge, text in found:
            if not any(ch.isalpha() for ch in text):
                continue  # bare numbers are page numbers or nothing
            squeezed = re.sub(r"\s+", " ", text)
            keyed.setdefault((edge, squeezed), []).append((p, k))
            number = re.search(r"\d+", text)
            if number:
                shape = re.sub(r"\d+", "#", squeezed)
                keyed.setdefault((edge, f"{shape} {int(number.group()) - p}"), []).append((p, k))
    return keyed


def furniture_lines(pages: list[list[Item]], heights: list[float]) -> list[list[str]]:
    """The furniture ``find_furniture`` removes, as text, page by page (for reports and tests)."""
    drops = find_furniture(pages, heights)
    return [[lines[k][1] for k in sorted(drop)] for lines, drop in zip(pages, drops)]


def _first_line(items: list[tuple[float, str]], index: dict[int, int]) -> int | None:
    """The line of the table's first row, when its rows are consecutive lines (text printed
    beside a table can interleave; then the layout locates cells by search instead)."""
    lines = [index[id(item)] for item in items]
    if lines and lines == list(range(lines[0], lines[0] + len(lines))):
        return lines[0]
    return None


def with_blank_lines(placed: list[tuple[float, str]], line_height: float) -> list[str]:
    """Lines in order, with a blank line for every empty line-pitch between two lines.

    Blank lines separate paragraphs (``layout.find_blocks``) and extractors rely on them, as
    they do in text documents; pdfplumber drops them. The pitch is the page's lower-quartile
    distance between consecutive lines, kept between 1 and 2 line heights (a title page whose
    lines are all a blank line apart would otherwise look single-spaced); a gap of 1.5 pitches
    or more holds blank lines.
    """
    return _lay_out(placed, line_height)[0]


def _lay_out(placed: list[tuple[float, str]], line_height: float) -> tuple[list[str], dict[int, int]]:
    """``with_blank_lines``, plus where each placed item ended up: ``id(item)`` → line index."""
    steps = sorted(b[0] - a[0] for a, b in zip(placed, placed[1:]) if b[0] - a[0] > 1)
    pitch = min(max(steps[(len(steps) - 1) // 4], line_height), 2 * line_height) if steps else 0.0
    lines: list[str] = []
    index: dict[int, int] = {}
    for i, item in enumerate(placed):
        if i and pitch > 0:
            blanks = int((item[0] - placed[i - 1][0]) / pitch + 0.5) - 1
            lines.extend([""] * max(blanks, 0))
        index[id(item)] = len(lines)
        lines.append(item[1])
    return lines, index


def _extract_table(table: Any, chars: list[dict[str, Any]]) -> list[list[str | None]]:
    """Cell texts, as ``Table.extract`` gives them (a character belongs to the cell holding
    its centre), but each character is placed once by bisection instead of testing every
    character of the page against every row: table-heavy pages read in half the time."""
    from bisect import bisect_right

    from pdfplumber.utils import extract_text

    rows = list(table.rows)
    tops = [row.bbox[1] for row in rows]
    buckets: list[list[list[dict[str, Any]]]] = [[[] for _ in row.cells] for row in rows]
    # Per row, the cells lying across it, left to right: its own and those spanning down
    # into it from a row above (a merged cell's later lines sit beside the next rows' cells).
    across: list[list[tuple[int, int]]] = [[] for _ in rows]
    for r0, row in enumerate(rows):
        for c, cell in enumerate(row.cells):
            if cell is not None:
                for r in range(r0, bisect_right(tops, cell[3] - 0.01)):
                    across[r].append((r0, c))
    for owners in across:
        owners.sort(key=lambda rc: rows[rc[0]].cells[rc[1]][0])
    starts = [[rows[r0].cells[c][0] for r0, c in owners] for owners in across]
    for char in chars:
        v_mid = (char["top"] + char["bottom"]) / 2
        r = bisect_right(tops, v_mid) - 1
        if r < 0:
            continue
        h_mid = (char["x0"] + char["x1"]) / 2
        k = bisect_right(starts[r], h_mid) - 1
        if k < 0:
            continue
        r0, c = across[r][k]
        cell = rows[r0].cells[c]
        if cell[0] <= h_mid < cell[2] and cell[1] <= v_mid < cell[3]:
            buckets[r0][c].append(char)
    return [[None if cell is None else extract_text(bucket, **TEXT_SETTINGS)
             for cell, bucket in zip(row.cells, row_buckets)]
            for row, row_buckets in zip(rows, buckets)]


def _cell(text: str) -> str:
    """A cell's lines joined as one (no space between Japanese characters); a one-line cell
    is kept as printed, spaces included."""
    return join_lines(text.split("\n")) if "\n" in text else text.rstrip()


# --------------------------------------------------------------------------- tables

# Tables without vertical rules: pdfplumber's finder with its "text" strategies, on a region
# bounded by horizontal rules (booktabs) or by a caption and aligned lines (borderless).
UNRULED_TABLES: dict[str, Any] = {
    "vertical_strategy": "text", "horizontal_strategy": "text",
    "text_keep_blank_chars": False, "text_x_tolerance": 3, "text_y_tolerance": 3,
}
COLUMN_GAP = 1.0        # white between two columns, in ems of the type (printed spaces are not white)
BOOKTABS_GAP = 0.5      # the same between rules (the rules are evidence enough; a word space is ~0.3 em)
MIN_RULE = 72.0         # points: a shorter horizontal line is an underline, not a table rule
MIN_VERTICAL = 3.0      # points: a shorter vertical edge is the side of a thin rule, not a rule
MAX_HEADER_LINES = 4    # text lines of header between a booktabs table's first two rules
MIN_BORDERLESS_LINES = 3
ROW_GAP = 1.0           # a vertical gap wider than a line's height ends a borderless table …
CAPTION_GAP = 2.5       # … except under its caption, where one blank line may stand
_TABLE_CAPTION = re.compile(r"^\s*(?:表|Table)\s*\d+", re.IGNORECASE)

Spans = tuple[tuple[tuple[int, int] | None, ...], ...]
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class _FoundTable:
    """A table of one page: cell texts (None where a spanning cell covers the position or no
    cell is printed), each cell's ``(row_span, col_span)`` (``RawTable.spans``), the top of
    each row on the page, the box whose text the table replaces, its header rows."""

    rows: tuple[tuple[str | None, ...], ...]
    spans: Spans
    tops: tuple[float, ...]
    bbox: BBox
    header_rows: int = 1

    def line(self, r: int) -> str:
        """Row ``r`` as one tab-separated line (``layout.tab_columns``)."""
        return "\t".join(self.rows[r][c] or "" for c in tab_columns(self.spans, r))


def _ruled_table(table: Any, chars: list[dict[str, Any]]) -> _FoundTable:
    """A table pdfplumber found from its rules: every row a tab-separated line at its height."""
    rows = tuple(tuple(None if c is None else _cell(c) for c in row)
                 for row in _extract_table(table, chars))
    return _FoundTable(rows, cell_spans(table), tuple(row.bbox[1] for row in table.rows),
                       tuple(table.bbox))


def cell_spans(table: Any) -> Spans:
    """Each cell's ``(row_span, col_span)`` from its box: how many rows start and how many
    columns start inside it. Why boxes: pdfplumber gives None both below a value merged
    across rows and right of one merged across columns; only the box tells which (and an
    empty bordered cell has its own box: it is "" and spans nothing)."""
    tops = sorted({cell[1] for cell in table.cells})
    lefts = sorted({cell[0] for cell in table.cells})
    return tuple(tuple(None if cell is None else (
        sum(1 for t in tops if cell[1] <= t < cell[3] - 0.01),
        sum(1 for x in lefts if cell[0] <= x < cell[2] - 0.01)) for cell in row.cells)
        for row in table.rows)


def unruled_tables(page: Any, taken: list[BBox]) -> list[_FoundTable]:
    """Tables printed without vertical rules, outside the boxes already ``taken``: between
    horizontal rules (booktabs), or under a ``表 N``/``Table N`` caption with no rule at all.
    Each must pass ``_accept``; anything doubtful stays text."""
    found: list[_FoundTable] = []
    for bbox, header_bottom in _booktabs_regions(page, taken):
        table = _text_table(page, bbox, header_bottom)
        if table is not None:
            found.append(table)
    boxes = taken + [t.bbox for t in found]
    for bbox in _captioned_regions(page, boxes):
        table = _text_table(page, bbox, None)
        if table is not None:
            found.append(table)
    return found


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _booktabs_regions(page: Any, taken: list[BBox]) -> list[tuple[BBox, float]]:
    """``(region, bottom of the header)`` for each stack of at least three horizontal rules of
    the same extent (above the header, below it, at the end) that no vertical rule crosses;
    a stack is split at a caption line between two of its rules (two tables, one width)."""
    def free(e: dict[str, Any]) -> bool:
        box = (e["x0"] - 1, e["top"] - 1, e["x1"] + 1, e["bottom"] + 1)
        return not any(_overlaps(box, t) for t in taken)

    rules = [e for e in page.horizontal_edges if e["x1"] - e["x0"] >= MIN_RULE and free(e)]
    if len(rules) < 3:
        return []
    verticals = [(e["x0"], e["top"], e["x1"] + 0.01, e["bottom"]) for e in page.vertical_edges
                 if e["bottom"] - e["top"] >= MIN_VERTICAL and free(e)]
    stacks: dict[tuple[int, int], list[float]] = {}
    for e in rules:
        key = next((k for k in stacks if abs(k[0] - e["x0"]) <= 2 and abs(k[1] - e["x1"]) <= 2),
                   (round(e["x0"]), round(e["x1"])))
        stacks.setdefault(key, []).append(float(e["top"]))
    regions: list[tuple[BBox, float]] = []
    for (x0, x1), tops in stacks.items():
        ys: list[float] = []
        for y in sorted(tops):
            if not ys or y - ys[-1] > 2:  # a double rule or a thin rectangle's two edges
                ys.append(y)
        for part in _split_at_captions(page, x0, x1, ys):
            if len(part) < 3:
                continue
            bbox = (x0 - 1.0, part[0], x1 + 1.0, part[-1])
            if not any(_overlaps(bbox, v) for v in verticals):
                regions.append((bbox, part[1]))
    return regions


def _split_at_captions(page: Any, x0: float, x1: float, ys: list[float]) -> list[list[float]]:
    """The rule heights in runs, a new run after any interval holding a caption line."""
    parts: list[list[float]] = [ys[:1]]
    for a, b in zip(ys, ys[1:]):
        band = page.within_bbox((x0 - 1, a, x1 + 1, b)).extract_text(**TEXT_SETTINGS)
        if any(_TABLE_CAPTION.match(clean_text(line)) for line in band.split("\n")):
            parts.append([b])
        else:
            parts[-1].append(b)
    return parts


def _captioned_regions(page: Any, taken: list[BBox]) -> list[BBox]:
    """The box of each run of at least ``MIN_BORDERLESS_LINES`` lines directly under a caption
    line (``表 3``, ``Table 3``) whose words share a column gutter (white, not spaces, of
    ``COLUMN_GAP`` ems or more, on every line). Cheap first (captions are frequent, borderless
    tables rare): only a ``表``/``T`` followed by a number with nothing printed to its left
    opens a caption, and the few lines under it are read before the rest of the page."""
    regions: list[BBox] = []
    chars = page.chars
    for i, char in enumerate(chars):
        if char["text"] not in ("表", "T", "t") or not _number_follows(chars, i) \
                or not _starts_line(chars, char):
            continue
        size = float(char["bottom"] - char["top"])
        run: list[dict[str, Any]] = []
        for depth in (2 * size * (MIN_BORDERLESS_LINES + 1), float(page.height)):
            lines = _lines_below(page, char, depth)
            if not _is_caption_line(lines):
                break
            run = _aligned_run(lines[1:], lines[0], taken)
            if len(run) < MIN_BORDERLESS_LINES:
                break
        if len(run) < MIN_BORDERLESS_LINES:
            continue
        xs = [(c["x0"], c["x1"]) for line in run for c in line["chars"]]
        top = (lines[0]["bottom"] + run[0]["top"]) / 2
        bbox = (min(x for x, _ in xs) - 1, top, max(x for _, x in xs) + 1, run[-1]["bottom"] + 1)
        if not any(_overlaps(bbox, t) for t in taken + regions):
            regions.append(bbox)
    return regions


def _is_caption_line(lines: list[dict[str, Any]]) -> bool:
    """The first line is a caption standing alone: ``表 N``/``Table N``, with no column white in
    it (on a two-column page the line would run on into the other column's text, whose lines
    below share the gutter: prose, not a table)."""
    return bool(lines) and bool(_TABLE_CAPTION.match(clean_text(lines[0]["text"]))) \
        and len(_occupied(lines[0]["chars"])) == 1


def _number_follows(chars: list[dict[str, Any]], i: int) -> bool:
    """``表 3``/``Table 3`` in the characters' stream order (spaces skipped)."""
    word = "表" if chars[i]["text"] == "表" else "table"
    got = "".join(c["text"] for c in chars[i:i + len(word)]).lower()
    if got != word:
        return False
    rest = (c["text"] for c in chars[i + len(word):i + len(word) + 4] if not c["text"].isspace())
    return unicodedata.normalize("NFKC", next(rest, "")).isdigit()


def _starts_line(chars: list[dict[str, Any]], first: dict[str, Any]) -> bool:
    """Nothing printed left of ``first`` on its line."""
    middle = (first["top"] + first["bottom"]) / 2
    return not any(c["x1"] <= first["x0"] and c["top"] < middle < c["bottom"] and not c["text"].isspace()
                   for c in chars)


def _lines_below(page: Any, first: dict[str, Any], depth: float) -> list[dict[str, Any]]:
    """The text lines from ``first``'s line down ``depth`` points (with their characters)."""
    box = (0, max(first["top"] - 1, 0), page.width, min(first["top"] + depth, page.height))
    return page.within_bbox(box).extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)


def _aligned_run(lines: list[dict[str, Any]], caption: dict[str, Any],
                 taken: list[BBox]) -> list[dict[str, Any]]:
    """The lines under ``caption`` (at most one blank line after it, none between them, none
    in a ``taken`` box) that share a column gutter. The run ends at a blank line or at a line
    of one piece (a note, a paragraph); a line in pieces that do not keep to the gutter (a
    cell spanning two columns?) leaves the table's extent unsure: no run at all."""
    run: list[dict[str, Any]] = []
    above = caption
    gutters: list[tuple[float, float]] | None = None
    for line in lines:
        most = (CAPTION_GAP if above is caption else ROW_GAP) * (line["bottom"] - line["top"])
        if line["top"] - above["bottom"] > most:
            break
        if any(_overlaps((line["x0"], line["top"], line["x1"], line["bottom"]), t) for t in taken):
            break
        spans = _occupied(line["chars"])
        if len(spans) < 2:
            break
        whites = [(a[1], b[0]) for a, b in zip(spans, spans[1:])]
        kept = whites if gutters is None else _intersect(gutters, whites)
        if not kept:
            return []
        gutters, above = kept, line
        run.append(line)
    return run


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The x intervals white in both lists (each of positive width)."""
    return [(max(p[0], q[0]), min(p[1], q[1])) for p in a for q in b if min(p[1], q[1]) > max(p[0], q[0])]


def _occupied(chars: list[dict[str, Any]], gap: float = COLUMN_GAP) -> list[tuple[float, float]]:
    """The x intervals a line's characters cover, printed spaces included, joined across
    gaps narrower than ``gap`` ems: what is left between them is column white."""
    spans: list[list[float]] = []
    for c in sorted(chars, key=lambda c: c["x0"]):
        if spans and c["x0"] - spans[-1][1] < gap * float(c["size"]):
            spans[-1][1] = max(spans[-1][1], c["x1"])
        else:
            spans.append([c["x0"], c["x1"]])
    return [(a, b) for a, b in spans]


def _text_table(page: Any, bbox: BBox, header_bottom: float | None) -> _FoundTable | None:
    """The table in ``bbox``, or None unless it is surely a table (``_accept``).

    pdfplumber's text strategies first; they place a column edge only where three words align
    and end the table at the aligned words' right edge, so when that reading is refused, the
    finder is tried again with its vertical lines given explicitly in the white every body line
    leaves (``_gutters``). Rows with no text (the white between printed lines) are dropped.
    The lines above ``header_bottom`` (a booktabs header rule) are the header (``_header``)."""
    region = page.within_bbox(bbox)
    gap = COLUMN_GAP if header_bottom is None else BOOKTABS_GAP
    lines = region.extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)
    head = [ln for ln in lines if header_bottom is not None and ln["top"] < header_bottom]
    body = lines[len(head):]
    if (header_bottom is not None and not head) or len(head) > MAX_HEADER_LINES or (head and not body):
        return None
    attempts: list[dict[str, Any]] = [UNRULED_TABLES]
    xs = _gutters(body, head, gap)
    if xs:
        attempts.append({**UNRULED_TABLES, "vertical_strategy": "explicit", "explicit_vertical_lines": xs})
    for settings in attempts:
        found = _read_region(region, settings, head, body, gap)
        if found is not None:
            return found
    return None


def _read_region(region: Any, settings: dict[str, Any], head: list[dict[str, Any]],
                 body: list[dict[str, Any]], gap: float) -> _FoundTable | None:
    """One attempt of ``_text_table`` with the finder's ``settings``."""
    tables = region.find_tables(settings)
    if len(tables) != 1:
        return None
    table = tables[0]
    grid = _extract_table(table, region.chars)
    kept = [(row.bbox[1], tuple(c or "" for c in texts)) for row, texts in zip(table.rows, grid)
            if any((c or "").strip() for c in texts)]
    body_start = head[-1]["bottom"] if head else -1.0
    rows = [(top, texts) for top, texts in kept if top >= body_start]
    if not _accept(region, table, body, [texts for _, texts in rows], gap, bool(head)):
        return None
    lefts = sorted({cell[0] for cell in table.cells})
    header = _header(head, lefts, table.bbox[2], body, gap)
    if header is None:
        return None
    n = len(lefts)
    spans: Spans = tuple(h[1] for h in header) + tuple(tuple((1, 1) for _ in range(n)) for _ in rows)
    cells = tuple(h[0] for h in header) + tuple(tuple(_cell(c) for c in texts) for _, texts in rows)
    tops = tuple(h[2] for h in header) + tuple(top for top, _ in rows)
    return _FoundTable(cells, spans, tops, tuple(table.bbox), header_rows=max(len(header), 1))


Header = tuple[tuple[str | None, ...], tuple[tuple[int, int] | None, ...], float]
ALIGN = 0.3  # ems: how far a header label may sit from its column's values and still align


def _header(head: list[dict[str, Any]], lefts: list[float], right: float,
            body: list[dict[str, Any]], gap: float) -> list[Header] | None:
    """The header rows ``(cells, spans, top)``, or None when a label's column is not sure.

    Each label (a run of the line's characters, ``_occupied``) belongs to the column whose
    values it is aligned with (left, right or centre: ``_place``), spanning the next columns
    whose values it runs over, or to the columns it is centred over. When every label spans
    one column, the lines are one row, each cell's lines joined (a header wrapped in its cell),
    at the last line's height so no blank line parts it from the body; otherwise each line is a
    row (``例数 (%)`` over its count columns, the grades under it)."""
    if not head:
        return []
    n = len(lefts)
    extents = _value_extents(body, lefts)
    bounds = [*lefts, right]
    rows: list[list[tuple[int, int, str]]] = []
    for line in head:
        labels = []
        for a, b in _occupied(line["chars"], gap):
            chars = [c for c in line["chars"] if a <= c["x0"] and c["x1"] <= b]
            place = _place(a, b, extents, bounds, ALIGN * max(float(c["size"]) for c in chars))
            if place is None:
                return None
            text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])).strip()
            labels.append((*place, text))
        rows.append(labels)
    if all(width == 1 for labels in rows for _, width, _ in labels):
        columns: list[list[str]] = [[] for _ in range(n)]
        for labels in rows:
            for k, _, text in labels:
                columns[k].append(text)
        return [(tuple(join_lines(col) for col in columns), ((1, 1),) * n, head[-1]["top"])]
    out: list[Header] = []
    for line, labels in zip(head, rows):
        cells: list[str | None] = [""] * n
        spans: list[tuple[int, int] | None] = [(1, 1)] * n
        for k, width, text in labels:
            if cells[k] is None or any(cells[i] for i in range(k + 1, k + width)):
                return None
            cells[k] = f"{cells[k]} {text}".strip()
            spans[k] = (1, width)
            for i in range(k + 1, k + width):
                cells[i], spans[i] = None, None
        out.append((tuple(cells), tuple(spans), line["top"]))
    return out


def _value_extents(body: list[dict[str, Any]], lefts: list[float]) -> list[tuple[float, float] | None]:
    """Per column (``lefts``: each column's left boundary), the x extent of the body's
    characters in it; None for a column without any."""
    extents: list[tuple[float, float] | None] = [None] * len(lefts)
    for line in body:
        for c in line["chars"]:
            if c["text"].isspace():
                continue
            k = max(i for i, x in enumerate(lefts) if i == 0 or x <= (c["x0"] + c["x1"]) / 2)
            e = extents[k]
            extents[k] = (c["x0"], c["x1"]) if e is None else (min(e[0], c["x0"]), max(e[1], c["x1"]))
    return extents


def _place(a: float, b: float, extents: list[tuple[float, float] | None], bounds: list[float],
           tol: float) -> tuple[int, int] | None:
    """``(column, columns spanned)`` of a header label from ``a`` to ``b``: the one column
    whose values it is aligned with (left, right or centre), spanning the next columns whose
    values start under it; else two or more columns it is centred over (their values, or
    their room between the column boundaries ``bounds``, table edges included); else None."""
    aligned = [j for j, e in enumerate(extents) if e is not None and (
        abs(a - e[0]) <= tol or abs(b - e[1]) <= tol or abs((a + b) / 2 - (e[0] + e[1]) / 2) <= tol)]
    if len(aligned) == 1:
        k = width = aligned[0]
        while width + 1 < len(extents) and (e := extents[width + 1]) is not None and e[0] < b - 0.5:
            width += 1
        return k, width - k + 1
    if aligned:
        return None
    middle = (a + b) / 2
    over = [j for j in range(len(extents)) if bounds[j] < b and a < bounds[j + 1]]
    if len(over) < 2:
        return None
    j, m = over[0], over[-1]
    first, last = extents[j], extents[m]
    by_values = first is not None and last is not None and abs(middle - (first[0] + last[1]) / 2) <= 2 * tol
    if by_values or abs(middle - (bounds[j] + bounds[m + 1]) / 2) <= 2 * tol:
        return j, m - j + 1
    return None


def _crosses(line: dict[str, Any], bounds: list[float], gap: float) -> bool:
    return any(a + 0.5 < x < b - 0.5 for a, b in _occupied(line["chars"], gap) for x in bounds)


def _gutters(lines: list[dict[str, Any]], head: list[dict[str, Any]], gap: float) -> list[float]:
    """Explicit column lines: the table's left and right edges (of the body ``lines`` and the
    ``head`` lines: a header may be wider than the body) and the middle of every x interval
    left white on all body lines; [] without two body lines or without such white."""
    chars = [c for line in head + lines for c in line["chars"] if not c["text"].isspace()]
    if len(lines) < 2 or not chars:
        return []
    left, right = min(c["x0"] for c in chars), max(c["x1"] for c in chars)
    inner = [(a + b) / 2 for a, b in _white(lines, left, right, gap) if left < a and b < right]
    return [left - 0.5, *inner, right + 0.5] if inner else []


def _white(lines: list[dict[str, Any]], left: float, right: float, gap: float) -> list[tuple[float, float]]:
    """The x intervals between ``left`` and ``right`` that every line leaves white."""
    whites = [(left, right)]
    for line in lines:
        spans = _occupied(line["chars"], gap)
        edges = [left, *(x for span in spans for x in span), right]
        whites = _intersect(whites, list(zip(edges[::2], edges[1::2])))
    return whites


def _accept(region: Any, table: Any, body: list[dict[str, Any]], rows: list[tuple[str, ...]],
            gap: float, has_header: bool) -> bool:
    """A real table: two columns and two body rows at least (one under a header); every
    character of the region in the table; no body line crosses a column boundary (each
    boundary lies in column white); two thirds of the body rows have text in two cells or more."""
    if not rows or min(len(r) for r in rows) < 2 or len(rows) + has_header < 2:
        return False
    x0, top, x1, bottom = table.bbox
    if any(not (x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom)
           for c in region.chars if not c["text"].isspace()):
        return False
    bounds = sorted({cell[0] for cell in table.cells})[1:]
    if any(_crosses(line, bounds, gap) for line in body):
        return False
    filled = sum(1 for r in rows if sum(1 for c in r if c.strip()) >= 2)
    return 3 * filled >= 2 * len(rows)


def text_problem(lines: list[str]) -> str | None:
    """Why this text is not real text, or None when it reads as Japanese/English."""
    text = "\n".join(lines)
    cids = len(_CID.findall(text))
    pua = len(_PUA.findall(text))
    controls = len(_CONTROL.findall(text))
    visible = sum(1 for ch in _CID.sub("x", text) if not ch.isspace())
    for count, what in ((cids, "(cid:N) glyph codes: font without a Unicode map"),
                        (pua, "private-use characters: font without a Unicode map"),
                        (controls, "control characters: font without a Unicode map")):
        if count and (count > MAX_STRAY or count > MAX_STRAY_SHARE * visible):
            return f"{count} {what}"
    letters = [ch for ch in text if ch.isalpha()]
    foreign = [ch for ch in letters if _script(ch) not in _USUAL_SCRIPTS]
    if len(foreign) >= MIN_FOREIGN and len(foreign) > MAX_FOREIGN_SHARE * len(letters):
        scripts = sorted({_script(ch) for ch in foreign})[:4]
        return (f"{len(foreign)} of {len(letters)} letters in unexpected scripts "
                f"({', '.join(s.title() for s in scripts)}): font without a Unicode map")
    return None


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def _replace_cids(lines: list[str] | tuple[str, ...]) -> list[str]:
    """A tolerated stray ``(cid:N)`` becomes U+FFFD, never a digit an extractor could read."""
    return [_CID.sub("\ufffd", line) for line in lines]


def _tesseract(page: Any) -> tuple[list[str], str]:
    """OCR one page with the ``tesseract`` command (Japanese + English). (lines, error)."""
    inches2 = max(float(page.width) * float(page.height), 1.0) / 72 ** 2
    dpi = min(OCR_DPI, int((OCR_MAX_PIXELS / inches2) ** 0.5))  # a huge page is no memory bomb
    image = page.to_image(resolution=dpi).original
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        image.save(png)
        try:
            done = subprocess.run(["tesseract", str(png), "stdout", *TESSERACT_ARGS],
                                  capture_output=True, text=True, timeout=OCR_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            return [], f"Tesseract took longer than {OCR_TIMEOUT_S} s"
        except OSError as exc:
            return [], f"cannot run Tesseract: {exc}"
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return [], f"Tesseract exit {done.returncode}: {first}"
    return [despace_japanese(ln.rstrip()) for ln in done.stdout.splitlines()], ""


_JA = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"  # kana, kanji, CJK/fullwidth punctuation
_JA_SPACED = re.compile(f"(?<=[{_JA}]) (?=[{_JA}])")
_JA_JOINED = re.compile(f"[{_JA}](?=[{_JA}])")


def despace_japanese(line: str) -> str:
    """Remove the single spaces Tesseract can put between Japanese characters ("重 大 な").

    Only from a line spaced out that way: one where Japanese characters are more often
    separated by one space than printed side by side. A label and its value ("販売名 架空錠")
    in an otherwise unspaced line keep their gap, and runs of spaces (a printed gap, kept by
    ``preserve_interword_spaces``) are never touched."""
    spaced = len(_JA_SPACED.findall(line))
    if spaced < 2 or spaced < len(_JA_JOINED.findall(line)):
        return line
    return _JA_SPACED.sub("", line)
