"""PDF bytes to a ``Document``: opening the PDF and reading its pages.

One pass per page: pdfplumber gives the text lines (reading order, spaces kept as printed, so
indentation and column gaps survive) and the tables; each table's rows replace the text lines
inside its box as tab-separated lines (the same shape as the markdown text loader);
vertical gaps become blank lines (paragraph breaks, as in text documents); and the page's objects are released before the next page is read (``page.close()``), so memory
stays flat however long the document is.

The page's geometry is read by two modules of their own, so that this one holds the
reading itself (engines, checks, OCR, limits): ``pdf_tables`` finds a page's tables (ruled,
booktabs, borderless under a caption) and reads their cells; ``pdf_layout`` finds its
footnotes, columns, vertical text and page furniture and lays its lines out with blank lines.

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

Where the time went (cProfile, the renditions): pdfminer tokenising the content streams about
35 %, building its ``LTChar`` objects and pdfplumber turning each into a dict (every attribute
through ``resolve_all``) about 25 %, text lines, tables, columns and tategaki checks the rest.
Both costs are cut here without changing a value: ``pdf_tokens.FastContentParser`` reads the
common tokens with one regex (pdfminer's own tokeniser stays for the rest), and
``pdf_objects.page_objects`` builds pdfplumber's char dicts directly in the device and
dispatches operators from a table. Both are compared with pdfminer and pdfplumber object by
object in the tests; together they read a page in about half the CPU time.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.errors import InputError, missing_dependency
from extract.load.layout import FOOTNOTE_START, Box, RawPage, RawTable, build_document
from extract.normalize.text import clean_text
from extract.load.pdf_glyphs import GlyphOutcome, Glyphs, foreign_letters, script
from extract.load.pdf_layout import (TEXT_SETTINGS, VERTICAL_NOTE, VERTICAL_SETTINGS, Item, _first_line, _lay_out,
                                     _median, band_regions, classify_furniture, columns_note, find_bands,
                                     footnote_items, is_vertical, region_of, small_type, word_boxes)
from extract.load.pdf_fonts import METHOD as RECOVERED, FontMap, install_maps
from extract.load.pdf_tables import RULED_TABLES, BBox, _FoundTable, _ruled_table, unruled_tables
from extract.model import Document, ExtractionMethod, FurnitureKind, PageStatus

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
MAX_FOREIGN_SHARE = 0.05  # as pdf_glyphs: letters of scripts these documents never use, share of letters
MIN_FOREIGN = 5


_CID = re.compile(r"\(cid:\d+\)")
_PUA = re.compile(r"[\ue000-\uf8ff]")
# What pdfium gives for glyphs it cannot map (NUL, a missing glyph, is dropped by clean_text).
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        self.fontmaps: dict[str, FontMap] = {}
        self.glyphs = Glyphs()

    def read_pages(self) -> list[RawPage]:
        pdf = _open(self.data, self.path, self.password)
        try:
            n = _page_count(pdf, self.path)
            if self.ocr != "always":
                self.fontmaps = install_maps(pdf)
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
            if FAST_OBJECTS:
                from extract.load.pdf_objects import page_objects
                page_objects(page)
            glyphs = self.glyphs.fix(page, lambda: self._pdfium_chars(page, index))
            problem = glyphs.broken if glyphs is not None else None
            if problem is None:
                plumbed = _read_plumber(page, number, self.fontmaps, glyphs)
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
        except LIBRARY_ERRORS as exc:
            if not from_library(exc):
                raise
            return RawPage(number, (), (), "unreadable", f"cannot read page: {_why(exc)}")
        finally:
            page.close()

    def _pdfium_page(self, index: int) -> Any:
        import pypdfium2

        if self._pdfium is None:
            self._pdfium = pypdfium2.PdfDocument(self.data, password=self.password)
        return self._pdfium[index]

    def _pdfium_chars(self, plumber_page: Any, index: int) -> list[tuple[str, float, float, float, float]] | None:
        """pdfium's characters of the page as ``(text, x0, top, x1, bottom)`` in pdfplumber's
        coordinates (None for a rotated page or when pdfium cannot read it): the second
        opinion ``pdf_glyphs`` asks for glyphs pdfminer cannot map."""
        import pypdfium2
        import pypdfium2.raw as pdfium_c

        if plumber_page.rotation:
            return None
        try:
            page = self._pdfium_page(index)
            textpage = page.get_textpage()
        except (pypdfium2.PdfiumError, IndexError):
            return None
        y0 = float(plumber_page.page_obj.mediabox[1])
        shift = float(plumber_page.height) + float(plumber_page.mediabox[1]) + y0
        found = []
        for i in range(textpage.count_chars()):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            left, bottom, right, top = textpage.get_charbox(i)
            found.append((chr(code) if 0 < code < 0x110000 else "", left, shift - top, right, shift - bottom))
        textpage.close()
        page.close()
        return found

    def _pdfium_lines(self, index: int) -> tuple[str, ...] | None:
        """The page's text by pdfium, or None when it is no better (same checks)."""
        import pypdfium2

        try:
            page = self._pdfium_page(index)
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


# --------------------------------------------------------------------------- fast objects

FAST_OBJECTS = True  # False: pdfplumber's own page.objects (the tests compare the two)


# --------------------------------------------------------------------------- one page


@dataclass(frozen=True)
class _Plumbed:
    """A page read by pdfplumber, laid out only once furniture across pages is known.

    ``segments`` are runs of placed lines in reading order (one run for a plain page; for a
    page in bands: each band's columns left to right, band after band);
    ``table_items`` are the placed rows of each table, by identity within ``segments``."""

    number: int
    segments: tuple[tuple[Item, ...], ...]
    tables: tuple[tuple[_FoundTable, tuple[Item, ...]], ...]
    line_height: float
    height: float
    has_images: bool
    note: str = ""
    status: PageStatus = "ok"
    sized: tuple[tuple[Item, float], ...] = ()  # the text lines with their type size
    recovered: tuple[int, int, str] = (0, 0, "")  # glyphs read through recovered maps, unknown, fonts
    boxed: tuple[tuple[Item, Box], ...] = ()  # each line's box on the page (for yk:bbox)

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
        kept_segments: list[list[Item]] = []
        for segment in self.segments:
            kept = [item for item in segment if id(item) not in drop]
            if not kept:
                continue
            kept_segments.append(kept)
            if lines:
                lines.append("")
            laid, where = _lay_out(kept, self.line_height, self.height)
            index.update({key: value + len(lines) for key, value in where.items()})
            lines.extend(laid)
            order.extend(kept)
        tables = tuple(RawTable(table.rows, self.number, header_rows=table.header_rows,
                                first_line=_first_line(list(items), index), spans=table.spans)
                       for table, items in self.tables if table.rows)
        small = small_type([item for item, _ in self.sized], [size for _, size in self.sized], document_body)
        rows = frozenset(id(item) for _, items in self.tables for item in items)
        notes = tuple(sorted(index[id(item)] for item in _page_notes(order, kept_segments, small, rows)))
        boxes: list[Box | None] = [None] * len(lines)
        for item, box in self.boxed:
            if id(item) in index:
                boxes[index[id(item)]] = box
        status, reason, method = self._status()
        return RawPage(self.number, tuple(_replace_cids(lines)), tables, status, reason,
                       furniture=removed, footnote_lines=notes, method=method, boxes=tuple(boxes))

    def _status(self) -> tuple[PageStatus, str, ExtractionMethod | None]:
        """"font-recovered" when some text came through a recovered font map, "partial" when
        some of its glyphs stayed unknown (U+FFFD); the reason says which fonts and how many."""
        total, unknown, fonts = self.recovered
        if not total:
            return self.status, self.note, None
        share = (total - unknown) / total
        said = (f"text through the recovered map of {fonts} (confidence {share:.3f}: "
                f"{total - unknown} of {total} glyphs identified")
        said += f"; {unknown} character(s) unreadable)" if unknown else ")"
        reason = f"{self.note}; {said}" if self.note else said
        return ("partial" if unknown or self.status == "partial" else RECOVERED), reason, RECOVERED


def _page_notes(order: list[Item], segments: list[list[Item]], small: frozenset[int],
                rows: frozenset[int] = frozenset()) -> list[Item]:
    """The footnotes at the foot of the page, on a page in columns also those at the foot of
    each column (notes printed under the column that cites them), and anywhere those under a
    table (``rows``: ids of the table rows): the small-type lines right under its last row,
    from one opening with a marker (``注1)``, ``※``)."""
    notes = footnote_items(order, small)
    for segment in segments[:-1]:  # the last one ends the page: its notes are found above
        notes += footnote_items(segment, small)
    for segment in segments:
        for k, item in enumerate(segment[:-1]):
            if id(item) in rows and id(segment[k + 1]) not in rows:
                under = list(itertools.takewhile(lambda line: id(line) in small, segment[k + 1:]))
                if under and FOOTNOTE_START.match(clean_text(under[0][1])):
                    notes += under
    return list({id(item): item for item in notes}.values())


def _recovered_glyphs(chars: list[dict[str, Any]], fontmaps: dict[str, FontMap]) -> tuple[int, int, str]:
    """How many of the page's glyphs came through a recovered font map, how many of those
    stayed unknown, and the fonts' names."""
    if not fontmaps:
        return 0, 0, ""
    total = unknown = 0
    used: set[str] = set()
    for char in chars:
        name = char["fontname"]
        if name in fontmaps:
            total += 1
            unknown += char["text"] == "\ufffd"
            used.add(name)
    return total, unknown, ", ".join(sorted(used))


def _read_plumber(page: Any, number: int, fontmaps: dict[str, FontMap] | None = None,
                  glyphs: GlyphOutcome | None = None) -> _Plumbed:
    """Lines and ruled tables of one page. Text inside a ruled table is replaced by its rows,
    one tab-separated line per row at the row's height, so cells never interleave. A page
    in bands and columns is read band by band, each band's columns left to right, a table
    with the column (or full-width band) that holds it; tategaki is read column by column from
    the right. ``glyphs``: what ``pdf_glyphs`` did to the page's unmapped glyphs (its note and
    status go to the page)."""
    problems: list[str] = []
    try:
        tables = _tables(page)
    except LIBRARY_ERRORS as exc:
        if not from_library(exc):
            raise
        tables = []
        problems.append(f"tables not read ({_why(exc)})")
    body = page
    for table in tables:
        body = body.outside_bbox(table.bbox, strict=False)  # real tables may overhang the page
    try:
        segments, regions, heights, note, sizes, boxes = _text_segments(page, body, [t.bbox for t in tables])
    except LIBRARY_ERRORS as exc:
        if not from_library(exc):
            raise
        tables = []  # read again as one top-to-bottom flow, tables as text
        problems.append(f"layout not read, lines top to bottom ({_why(exc)})")
        segments, regions, heights, note, sizes, boxes = _text_segments(page, page, None)
    in_order = [item for segment in segments for item in segment]
    sized = tuple(zip(in_order, sizes))
    boxed = list(zip(in_order, boxes))
    found: list[tuple[_FoundTable, tuple[Item, ...]]] = []
    placed: set[int] = set()
    for table in tables:  # into the column (or full-width band) that holds the table
        items = tuple((top, table.line(r)) for r, top in enumerate(table.tops))
        k = region_of(regions, (table.bbox[0] + table.bbox[2]) / 2, table.bbox[1] + 0.5)
        segments[k].extend(items)
        placed.add(k)
        found.append((table, items))
        x0, _, x1, bottom = table.bbox
        ends = [*table.tops[1:], bottom]
        boxed += [(item, (x0, top, x1, end)) for item, top, end in zip(items, table.tops, ends)]
    for k in placed:
        segments[k].sort(key=lambda item: item[0])
    heights.sort()
    height = heights[len(heights) // 2] if heights else 0.0
    notes = "; ".join(n for n in (note, glyphs.note() if glyphs else "", *problems) if n)
    status: PageStatus = "partial" if problems or (glyphs is not None and glyphs.status == "partial") else "ok"
    return _Plumbed(number, tuple(tuple(s) for s in segments), tuple(found), height,
                    float(page.height), bool(page.images), notes, status, sized,
                    _recovered_glyphs(page.chars, fontmaps or {}), tuple(boxed))


def _tables(page: Any) -> list[_FoundTable]:
    """The page's ruled tables, then its unruled ones (``pdf_tables``)."""
    tables = [_ruled_table(t, page.chars) for t in page.find_tables(RULED_TABLES)] if page.edges else []
    return tables + unruled_tables(page, [t.bbox for t in tables])


def _library_errors() -> tuple[type[BaseException], ...]:
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    return (ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, AssertionError, OverflowError,
            PdfminerException, MalformedPDFException, PSException)


# What pdfplumber and pdfminer raise on bad geometry or data in a real PDF (a crop box off
# the page, a malformed object): caught around one page's passes only when raised inside
# those libraries (``from_library``), so that an error of our own still surfaces.
LIBRARY_ERRORS = _library_errors()


def _library_dirs() -> tuple[str, ...]:
    import pdfminer
    import pdfplumber

    return tuple(str(Path(module.__file__).parent) + "/" for module in (pdfminer, pdfplumber))


_LIBRARY_DIRS = _library_dirs()


def from_library(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside pdfplumber's or pdfminer's code (its innermost frame)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(_LIBRARY_DIRS)


def _text_segments(page: Any, body: Any, blocks: list[BBox] | None
                   ) -> tuple[list[list[Item]], list[Box], list[float], str, list[float], list[Box]]:
    """The page's text lines (``body``: outside its tables) as reading-order segments, the
    region of the page each segment was read from (``pdf_layout.band_regions``), the lines'
    heights, a note on how the page was read ("" for the usual single flow), and each line's
    type size (the largest glyph) and box, in the order of the segments' lines. ``blocks``: the
    tables' boxes (the bands and columns are found around them); None reads the page as one
    top-to-bottom flow."""
    whole: list[Box] = [(-math.inf, -math.inf, math.inf, math.inf)]
    if not blocks and blocks is not None and is_vertical(page.chars):
        middle = float(page.height) / 2  # never taken for page-edge furniture
        lines = page.extract_text(**VERTICAL_SETTINGS).split("\n")
        return [[(middle, line) for line in lines]], whole, [], VERTICAL_NOTE, [], []
    text_lines = body.extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)
    bands = None if blocks is None else find_bands(word_boxes(text_lines), blocks + _figures(page))
    if bands is None:
        parts, regions, note = [text_lines], whole, ""
    else:
        regions = band_regions(bands)
        chars: list[list[dict[str, Any]]] = [[] for _ in regions]
        for c in body.chars:
            chars[region_of(regions, (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2)].append(c)
        from pdfplumber.utils import chars_to_textmap

        parts = [chars_to_textmap(part, **TEXT_SETTINGS).extract_text_lines(strip=False, return_chars=True)
                 if part else [] for part in chars]
        note = columns_note(max(len(splits) for _, splits in bands) + 1)
    segments = [[(line["top"], line["text"]) for line in part] for part in parts]
    heights = [line["bottom"] - line["top"] for part in parts for line in part]
    sizes = [_type_size(line) for part in parts for line in part]
    boxes = [(float(line["x0"]), float(line["top"]), float(line["x1"]), float(line["bottom"]))
             for part in parts for line in part]
    return segments, regions, heights, note, sizes, boxes


RULE_HEIGHT = 5.0  # points: a rectangle this thin is a rule


def _figures(page: Any) -> list[Box]:
    """The page's images and its horizontal rules across half the page or more: elements of
    the layout besides text and tables (a rule under a header band, a figure across both
    columns, cut the page into bands)."""
    wide = float(page.width) / 2
    rules = [o for o in (*page.rects, *page.lines) if o["bottom"] - o["top"] <= RULE_HEIGHT and o["x1"] - o["x0"] >= wide]
    return [(float(o["x0"]), float(o["top"]), float(o["x1"]), float(o["bottom"])) for o in (*page.images, *rules)]


def _type_size(line: dict[str, Any]) -> float:
    """A text line's type size: its largest glyph (a superscript marker is smaller)."""
    return max((float(c["size"]) for c in line["chars"] if not c["text"].isspace()),
               default=float(line["bottom"] - line["top"]))


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
    foreign, letters = foreign_letters(text)
    if len(foreign) >= MIN_FOREIGN and len(foreign) > MAX_FOREIGN_SHARE * letters:
        scripts = sorted({script(ch) for ch in foreign})[:4]
        return (f"{len(foreign)} of {letters} letters in unexpected scripts "
                f"({', '.join(s.title() for s in scripts)}): font without a Unicode map")
    return None


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
