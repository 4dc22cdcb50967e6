"""PDF bytes to a ``Document``: the package's only pdfplumber import.

One pass per page: pdfplumber gives the text lines (reading order, spaces kept as printed, so
indentation and column gaps survive) and the ruled tables; each ruled table's rows replace the
text lines inside its box as tab-separated lines (the same shape as the markdown text loader);
vertical gaps become blank lines (paragraph breaks, as in text documents); and the page's objects are released before the next page is read (``page.close()``), so memory
stays flat however long the document is.

Pages whose text is not real text are never passed on as text (facts must not be read from
garbage); the page is kept, blank, with status ``"unreadable"`` and the reason:

- ``(cid:N)`` tokens (a font without a ToUnicode map): up to ``MAX_STRAY_SHARE`` of the page's
  characters and ``MAX_STRAY`` tokens are tolerated (a bullet from a symbol font) and replaced by
  U+FFFD; more makes the page unreadable. The same limits apply to private-use characters.
- an implausible mix of scripts (Arabic, Hebrew, Canadian syllabics… in a Japanese or English
  regulatory document): what pdfium and MuPDF produce from the same broken fonts.
- image-only pages (no characters, at least one image): scanned.

For a broken-font page pypdfium2's text is tried first and kept only if it passes the same
checks. Image-only or still-broken pages are OCR'd with Tesseract when ``tesseract`` is on PATH
and ``ocr`` is not ``"never"`` (status ``"ocr"``); ``ocr="always"`` OCRs every page.

Limits: at most ``MAX_BYTES`` (200 MB) of input and ``MAX_PAGES`` (2,000) pages; Tesseract gets
``OCR_TIMEOUT_S`` (300) seconds per page and a page image of at most ``OCR_MAX_PIXELS`` (40 M)
pixels at up to ``OCR_DPI`` (300) dpi. Bad documents raise ``InputError`` naming the file and the
reason: not a PDF, truncated or corrupt, encrypted without (or with a wrong) password, zero
pages, too large, or no readable text on any page.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from extract.errors import InputError, missing_dependency
from extract.load.layout import RawPage, RawTable, build_document
from extract.model import Document
from extract.normalize.text import join_lines

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
OCR_TIMEOUT_S = 300
OCR_DPI = 300
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
            return [self._page(pdf, i) for i in range(n)]
        finally:
            _close(pdf)
            if self._pdfium is not None:
                self._pdfium.close()

    def _page(self, pdf: Any, index: int) -> RawPage:
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
            lines, tables, has_images = _read_plumber(page, number)
            problem = text_problem(lines)
            if problem is None and (lines or not has_images):
                return RawPage(number, tuple(_replace_cids(lines)), tables)
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


# --------------------------------------------------------------------------- one page


def _read_plumber(page: Any, number: int) -> tuple[list[str], tuple[RawTable, ...], bool]:
    """Lines and ruled tables of one page. Text inside a ruled table is replaced by its rows,
    one tab-separated line per row at the row's height, so cells never interleave."""
    tables = page.find_tables(RULED_TABLES) if page.edges else []
    body = page
    for table in tables:
        body = body.outside_bbox(table.bbox, strict=False)  # real tables may overhang the page
    text_lines = body.extract_text_lines(strip=False, return_chars=False, **TEXT_SETTINGS)
    placed: list[tuple[float, str]] = [(line["top"], line["text"]) for line in text_lines]
    heights = sorted(line["bottom"] - line["top"] for line in text_lines)
    found: list[tuple[tuple[tuple[str | None, ...], ...], list[tuple[float, str]]]] = []
    for table in tables:
        rows = tuple(tuple(None if c is None else _cell(c) for c in row)
                     for row in _extract_table(table, page.chars))
        items = [(row_obj.bbox[1], "\t".join(c for c in row if c is not None))
                 for row_obj, row in zip(table.rows, rows)]
        placed.extend(items)
        found.append((rows, items))
    placed.sort(key=lambda item: item[0])
    height = heights[len(heights) // 2] if heights else 0.0
    lines, index = _lay_out(placed, height)
    raw_tables = tuple(RawTable(rows, number, header_rows=1, first_line=_first_line(items, index))
                       for rows, items in found if rows)
    return lines, raw_tables, bool(page.images)


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
    present = [[c for c, cell in enumerate(row.cells) if cell is not None] for row in rows]
    starts = [[row.cells[c][0] for c in cols] for row, cols in zip(rows, present)]
    for char in chars:
        v_mid = (char["top"] + char["bottom"]) / 2
        r = bisect_right(tops, v_mid) - 1
        if r < 0 or v_mid >= rows[r].bbox[3]:
            continue
        h_mid = (char["x0"] + char["x1"]) / 2
        k = bisect_right(starts[r], h_mid) - 1
        if k < 0:
            continue
        c = present[r][k]
        cell = rows[r].cells[c]
        if cell[0] <= h_mid < cell[2] and cell[1] <= v_mid < cell[3]:
            buckets[r][c].append(char)
    return [[None if cell is None else extract_text(bucket, **TEXT_SETTINGS)
             for cell, bucket in zip(row.cells, row_buckets)]
            for row, row_buckets in zip(rows, buckets)]


def _cell(text: str) -> str:
    """A cell's lines joined as one (no space between Japanese characters); a one-line cell
    is kept as printed, spaces included."""
    return join_lines(text.split("\n")) if "\n" in text else text.rstrip()


def text_problem(lines: list[str]) -> str | None:
    """Why this text is not real text, or None when it reads as Japanese/English."""
    text = "\n".join(lines)
    cids = len(_CID.findall(text))
    pua = len(_PUA.findall(text))
    visible = sum(1 for ch in _CID.sub("x", text) if not ch.isspace())
    for count, what in ((cids, "(cid:N) glyph codes: font without a Unicode map"),
                        (pua, "private-use characters: font without a Unicode map")):
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
            done = subprocess.run(["tesseract", str(png), "stdout", "-l", "jpn+eng"],
                                  capture_output=True, text=True, timeout=OCR_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            return [], f"Tesseract took longer than {OCR_TIMEOUT_S} s"
        except OSError as exc:
            return [], f"cannot run Tesseract: {exc}"
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return [], f"Tesseract exit {done.returncode}: {first}"
    return [ln.rstrip() for ln in done.stdout.splitlines()], ""
