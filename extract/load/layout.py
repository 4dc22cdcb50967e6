"""From raw pages (lines and tables, whatever the source) to a ``Document``.

Both loaders (PDF and text) end here, so sections, blocks, languages and offsets are
computed one way for every source.

Sections (``find_sections``) are read from the numbering schemes these documents share:

* decimal numbers: ``1.``, ``1.1``, ``1.1.``, ``3.1.1.1``, ``7.R.4`` (PMDA's "review" subsections),
  and the Japanese ``1.(1)`` (printed ``１.（１）``);
* ``(1)``, circled ``①`` and ``①-1``, bracketed labels ``【重要な特定されたリスク】``;
* table captions ``Table 10.`` / ``表 14``, which become leaf sections (in markdown text they end
  with their tab-separated rows and footnotes, elsewhere at the next heading);
* the unnumbered headings of package inserts and review reports printed alone on a line
  (``使用上の注意``, ``Indications``), which rank with ``【…】``.

The rules are deliberately conservative, because a numbered list item taken for a heading
would swallow the rest of the document:

* a one-level number ``N.`` is a heading when it is *confirmed* (the next decimal heading is
  ``N.1``/``N.R``/``N.(1)``, its title is in the table of contents, or it is item N of the
  電子添文 layout, e.g. ``6. 用法及び用量``), or when it continues a confirmed run
  (``N`` = previous + 1) with no list restart since;
* a restart at ``1.`` that is not confirmed is a list; table-of-contents lines
  (``1.\\tはじめに\\t2``) are never headings;
* ``(n)`` and ``①`` lines are headings only when short, in sequence, and followed by body
  text rather than by the next item of the same list.

Footnotes (``find_footnotes``): the PDF loader says which lines of a page are footnotes (small
type at its foot); on text pages, a last block opening with a marker whose marker stands in
the page's body. Each ``Footnote`` keeps its span in the text and the offsets of its markers
in the body (``25 mg1)``: the ``1)``), and its lines become ``footnote`` blocks.

Page numbers: blocks take their page from ``Page`` objects (form feeds or PDF pages). Bare
page-number lines in text without form feeds are marked ``furniture`` but not used to number
pages (their position, top or bottom of a page, cannot be told from the text alone), so such
documents have page ``None``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from extract.model import (Block, BlockKind, Cell, Document, ExtractionMethod, Footnote, Furniture, FurnitureKind,
                           Lang, Page, PageStatus, Section, SourceRef, Table)
from extract.normalize.text import clean_text, detect_lang, join_lines


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as the loader found it: rows of cell strings (None = covered by a span).

    ``first_line``: when every row is one tab-separated source line, the index of the first
    row's line within its page; cells then get exact spans. Otherwise cells are located by
    searching the page text in reading order.

    ``spans``: when the loader measured them (ruled PDF tables: each cell's box), the
    ``(row_span, col_span)`` of the cell starting at each position, None where a spanning cell
    covers it or no cell is printed; a row's line is then laid out by ``tab_columns``. Without
    ``spans``, a None cell continues the cell on its left (``col_span``) and rows span one row."""

    rows: tuple[tuple[str | None, ...], ...]
    page: int | None
    header_rows: int = 0
    first_line: int | None = None
    spans: tuple[tuple[tuple[int, int] | None, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page as a loader read it. ``furniture``: the lines the loader removed, as
    ``(kind, text)``; ``footnote_lines``: indices into ``lines`` that the loader saw printed
    as footnotes (smaller type at the foot of the page), each footnote starting at a marker."""

    number: int | None
    lines: tuple[str, ...]
    tables: tuple[RawTable, ...] = ()
    status: PageStatus = "ok"
    reason: str = ""
    furniture: tuple[tuple[FurnitureKind, str], ...] = ()
    footnote_lines: tuple[int, ...] = ()
    method: ExtractionMethod | None = None  # as ``Page.method``
    boxes: tuple["Box | None", ...] = ()  # each line's box on the page, where the loader knows it


Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top left


@dataclass(frozen=True, slots=True)
class Line:
    """One line of ``Document.text``: ``start`` offset, text without ``\\n``/``\\f``, the
    source line before cleaning (for numbers as printed) and its page index."""

    start: int
    text: str
    raw: str
    page_index: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Pages are laid end to end with a line holding only a form feed between them: every page's
# first line then starts a line (so ``(?m)^heading`` finds a heading at the top of a page) and
# its last line ends one (``$`` matches), while ``"\f" in text[a:b]`` still tells that a span
# crosses a page break.
PAGE_BREAK = "\n\f\n"


def build_document(*, data: bytes, path: str, source_format: str, shape: str,
                   pages: list[RawPage], clean: bool = True) -> Document:
    """Assemble the document: clean every line, lay pages end to end (``PAGE_BREAK`` between),
    then find blocks, tables and sections on the result.

    ``clean=False`` keeps the text byte for byte (XML/JSON records, which their extractor
    parses; NFKC could turn a full-width quote into a JSON delimiter)."""
    doc_id = sha256_hex(data)
    parts: list[str] = []
    page_objs: list[Page] = []
    lines: list[Line] = []
    offset = 0
    for i, raw in enumerate(pages):
        if i:
            parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        cleaned = [clean_text(line) if clean else line for line in raw.lines]
        body = "\n".join(cleaned)
        page_lines = _lines_of(body, offset, raw.lines, i)
        lines.extend(page_lines)
        parts.append(body)
        page_objs.append(Page(raw.number, offset, offset + len(body), raw.status, raw.reason, raw.method,
                              line_boxes=_line_boxes(page_lines, raw)))
        offset += len(body)
    text = "".join(parts)
    lang: Lang = "ja" if detect_lang(text[:20000]) == "ja" else "en"
    structured = shape not in ("xml", "json")
    sections = find_sections(lines, len(text), tabbed_tables=shape == "markdown") if structured else ()
    footnotes = find_footnotes(text, lines, pages, page_objs, shape) if structured else ()
    blocks = find_blocks(doc_id, lines, page_objs, sections, lang, shape,
                         footnote_starts=frozenset(f.text_start for f in footnotes)) if structured else ()
    refs = _RefHelper(doc_id, page_objs, sections)
    tables = tuple(_table(refs, raw_t, text, page_objs[i], lines)
                   for i, raw in enumerate(pages) for raw_t in raw.tables)
    tables = merge_continued_tables(tables, lines, page_objs, refs)
    furniture = tuple(Furniture(raw.number, kind, clean_text(line) if clean else line)
                      for raw in pages for kind, line in raw.furniture)
    return Document(doc_id=doc_id, path=path, source_format=source_format,  # type: ignore[arg-type]
                    shape=shape, lang=lang, text=text, pages=tuple(page_objs), blocks=blocks,
                    tables=tables, sections=sections, footnotes=footnotes, furniture=furniture)


def _line_boxes(page_lines: list[Line], raw: RawPage) -> tuple[tuple[int, int, Box], ...]:
    """``(start, end, box)`` of each line the loader gave a box, once its offsets are known."""
    if len(raw.boxes) != len(page_lines):
        return ()
    return tuple((ln.start, ln.end, box) for ln, box in zip(page_lines, raw.boxes) if box is not None and ln.text)


def _lines_of(body: str, offset: int, raw_lines: tuple[str, ...], page_index: int) -> list[Line]:
    """Split one page's cleaned body into ``Line``s; raw lines are paired only when the
    counts agree (a loader may hand over lines that contain newlines)."""
    texts = body.split("\n")
    raws = list(raw_lines) if len(raw_lines) == len(texts) else texts
    out: list[Line] = []
    pos = offset
    for t, r in zip(texts, raws):
        out.append(Line(pos, t, r, page_index))
        pos += len(t) + 1
    return out


# --------------------------------------------------------------------------- tables


def _table(refs: "_RefHelper", raw: RawTable, text: str, page: Page, lines: list[Line]) -> Table:
    """Cells with spans: exact from the tab-separated lines when ``first_line`` is known,
    else found by searching forward through the page (so a cell never matches text before
    the previous cell)."""
    page_lines = [ln for ln in lines if page.start <= ln.start <= page.end]
    cells: list[Cell] = []
    n_cols = max((len(r) for r in raw.rows), default=0)
    cursor = page.start
    for r, row in enumerate(raw.rows):
        line = None
        if raw.first_line is not None and raw.first_line + r < len(page_lines):
            line = page_lines[raw.first_line + r]
        spans = _tab_spans(line) if line is not None else []
        pieces = tab_columns(raw.spans, r) if raw.spans else [k for k, v in enumerate(row) if v is not None]
        for c, value in enumerate(row):
            if value is None:
                continue
            row_span, col_span = _spans_at(raw, r, c)
            piece = pieces.index(c) if c in pieces else len(spans)
            if piece < len(spans):
                start, end = spans[piece]
                cell_text = text[start:end]
            else:
                start, end = _find_cell(text, value, cursor, page.start, page.end)
                cell_text = join_lines(clean_text(value).split("\n"))
            cursor = max(cursor, end)
            cells.append(Cell(r, c, cell_text, refs.ref(start, end), row_span, col_span))
    span = (min(c.ref.start for c in cells), max(c.ref.end for c in cells)) if cells else (page.start, page.end)
    return Table(tuple(cells), len(raw.rows), n_cols, refs.ref(*span), raw.header_rows,
                 (raw.page,) if raw.page else ())


def _spans_at(raw: RawTable, r: int, c: int) -> tuple[int, int]:
    """``(row_span, col_span)`` of the cell at ``(r, c)``: measured, or (without ``spans``)
    one row and as many columns as the None cells after it."""
    measured = raw.spans[r][c] if r < len(raw.spans) and c < len(raw.spans[r]) else None
    if measured is not None:
        return measured
    row = raw.rows[r]
    col_span = 1
    while c + col_span < len(row) and row[c + col_span] is None:
        col_span += 1
    return 1, col_span


def tab_columns(spans: tuple[tuple[tuple[int, int] | None, ...], ...], r: int) -> list[int]:
    """The column of each tab-separated piece of row ``r``'s line, left to right.

    Why: a value spanning several rows is printed once, in its first row; the rows below keep
    an empty piece in its place, as a markdown table leaves an empty cell, so every later
    value stays in its column (``\\t貧血\\t20 (22.2)`` under ``血液…\\t好中球減少症\\t41 (45.6)``).
    A cell spanning columns is one piece; a position no cell covers is an empty piece.
    ``spans`` as in ``RawTable.spans``."""
    n_cols = max((len(row) for row in spans), default=0)
    covered: dict[int, int] = {}  # column → first column of the cell covering it in row r
    for r0 in range(r + 1):
        for c0, span in enumerate(spans[r0]):
            if span is not None and r0 + span[0] > r:
                covered.update({c: c0 for c in range(c0, c0 + span[1])})
    return [c for c in range(n_cols) if covered.get(c, c) == c]


def merge_continued_tables(tables: tuple[Table, ...], lines: list[Line], pages: list[Page],
                           refs: "_RefHelper") -> tuple[Table, ...]:
    """Join a table that runs onto the next page into one ``Table``.

    Table B continues table A when B is the first table of the page after A's, A is the last
    table of its page, both have the same column count, and only blank lines and page
    furniture (running headers, page numbers) stand between A's end and its page's end and
    between B's page start and B. A new table would have its own caption or text before it.
    B's leading rows that repeat A's header rows are dropped; otherwise all of B's rows are
    data (a continuation printed without a header). Every cell keeps its own ``SourceRef``
    (its own page); ``pages`` lists every page the table covers."""
    if len(tables) < 2:
        return tables
    furniture: set[int] | None = None
    by_page: dict[int, list[tuple[int, Line]]] = {}
    out: list[Table] = [tables[0]]
    for table in tables[1:]:
        prev = out[-1]
        if not _could_continue(prev, table, pages):
            out.append(table)
            continue
        if furniture is None:
            furniture = find_furniture(lines, len(pages))
            for i, ln in enumerate(lines):
                by_page.setdefault(ln.page_index, []).append((i, ln))
        if _nothing_between(prev, table, by_page, pages, furniture):
            out[-1] = _joined(prev, table, refs)
        else:
            out.append(table)
    return tuple(out)


def _could_continue(a: Table, b: Table, pages: list[Page]) -> bool:
    """Same column count, on consecutive numbered pages, and both have cells."""
    if not (a.cells and b.cells and a.pages and b.pages and a.n_cols == b.n_cols):
        return False
    numbers = [p.number for p in pages]
    return b.pages[0] == a.pages[-1] + 1 and a.pages[-1] in numbers and b.pages[0] in numbers


def _nothing_between(a: Table, b: Table, by_page: dict[int, list[tuple[int, Line]]],
                     pages: list[Page], furniture: set[int]) -> bool:
    """Only blank or furniture lines after A on its page and before B on the next
    (``by_page``: the lines of each page index with their line indices)."""
    a_end = max(c.ref.end for c in a.cells if c.ref.page == a.pages[-1])
    b_start = min(c.ref.start for c in b.cells)
    a_index = next(i for i, p in enumerate(pages) if p.number == a.pages[-1])
    after_a = [item for item in by_page.get(a_index, []) if item[1].start >= a_end]
    before_b = [item for item in by_page.get(a_index + 1, []) if item[1].end <= b_start]
    return all(not ln.text.strip() or i in furniture for i, ln in after_a + before_b)


def _joined(a: Table, b: Table, refs: "_RefHelper") -> Table:
    """A's rows, then B's rows without the header rows it repeats. Rows repeated at the top
    of the next page are header rows, however many the loader marked."""
    repeated = _repeated_header_rows(a, b)
    cells = list(a.cells)
    for c in b.cells:
        if c.row >= repeated:
            cells.append(Cell(c.row - repeated + a.n_rows, c.col, c.text, c.ref, c.row_span, c.col_span))
    span = (min(c.ref.start for c in cells), max(c.ref.end for c in cells))
    return Table(tuple(cells), a.n_rows + b.n_rows - repeated, a.n_cols, refs.ref(*span),
                 max(a.header_rows, repeated), a.pages + tuple(p for p in b.pages if p not in a.pages))


MAX_HEADER_ROWS = 3


def _repeated_header_rows(a: Table, b: Table) -> int:
    """How many of B's first rows repeat A's first rows (the header printed again). A row
    repeats when its cells match A's one by one, spaces ignored, allowing a cell to be
    shortened or extended (``例数 (%) N=225`` printed again as ``例数 (%)``); at least one
    cell must be non-empty."""
    a_rows, b_rows = _leading_rows(a), _leading_rows(b)
    count = 0
    while count < min(len(a_rows), len(b_rows), b.n_rows - 1) and _same_row(a_rows[count], b_rows[count]):
        count += 1
    return count


def _leading_rows(t: Table) -> list[list[str]]:
    grid = [["" for _ in range(t.n_cols)] for _ in range(min(t.n_rows, MAX_HEADER_ROWS))]
    for c in t.cells:
        if c.row < len(grid):
            grid[c.row][c.col] = re.sub(r"\s+", "", c.text)
    return grid


def _same_row(x: list[str], y: list[str]) -> bool:
    return any(x) and all(_same_cell(u, v) for u, v in zip(x, y))


def _same_cell(u: str, v: str) -> bool:
    """Equal, or one extends the other by a qualifier (the shorter has 3+ characters, so a
    number is never taken for the start of another: ``1`` vs ``12``)."""
    short, long = sorted((u, v), key=len)
    return u == v or (len(short) >= 3 and long.startswith(short))


def _tab_spans(line: Line) -> list[tuple[int, int]]:
    """The span of every tab-separated cell of a line, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = line.start
    for piece in line.text.split("\t"):
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(piece) + 1
    return spans


def _find_cell(text: str, value: str, cursor: int, page_start: int, end: int) -> tuple[int, int]:
    """Where a cell's text sits: after the previous cell if possible, else anywhere on the
    page; a multi-line cell spans from its first line to its last (the lines between may
    interleave with neighbouring cells in extracted text, so ``Cell.text`` comes from the
    table, not from this span)."""
    cell = clean_text(value).strip()
    first = cell.split("\n")[0].strip()
    pos = text.find(first, cursor, end) if first else -1
    if pos < 0 and first:
        pos = text.find(first, page_start, end)
    if pos < 0:
        return (cursor, cursor)
    if "\n" in cell:
        last = cell.split("\n")[-1].strip()
        tail = text.find(last, pos + len(first), end)
        if tail >= 0:
            return (pos, tail + len(last))
    return (pos, pos + len(first))


# --------------------------------------------------------------------------- footnotes

# A footnote's opening marker: 注1) 注) *1 ** ※ ※2 † 1) a), then the note (after an optional colon).
FOOTNOTE_START = re.compile(
    r"^\s*(?P<marker>注\d{0,2}\)|\*{1,3}\d{0,2}|※\d{0,2}|[†‡§¶]{1,2}|\d{1,2}\)|[a-z]\))"
    r"(?!\d)\s*[:：]?\s*\S")
# What may stand right before a marker in the body: ``mg1)``, ``ATLL3)``, ``ESEC)4)``, ``投与1)``,
# ``50%1)`` (never a digit, a space, "(" or "=": ``(N=21)``, ``(n=1)``, ``(1)`` are not markers).
_BEFORE_NUMBERED = r"(?:(?<=[^\W\d_])|(?<=[)%\]」』】]))"
_BEFORE_LETTERED = r"(?:(?<=[^\W\d_a-zA-Z])|(?<=[)%\]」』】]))"
_SYMBOLS = "*※†‡§¶"
_TEXT_SHAPES = ("layout", "markdown")


def find_footnotes(text: str, lines: list[Line], raw_pages: list[RawPage], pages: list[Page],
                   shape: str) -> tuple[Footnote, ...]:
    """Footnotes, each linked to its marker(s) in the body of its page.

    Which lines are footnotes: for PDF pages, the loader's (``RawPage.footnote_lines``: small
    type at the foot of the page); for text pages, the last block of the page (after the
    last blank line, page numbers aside) when it opens with a marker and at least one of its
    markers is found in the page's body: a numbered list ending a page has no marker in the
    body. A footnote runs from its marker line over the following lines up to the next
    marker; it stays in ``text``, where it was printed."""
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page_index, []).append(ln)
    found: list[Footnote] = []
    for i, (raw, page) in enumerate(zip(raw_pages, pages)):
        page_lines = by_page.get(i, [])
        if raw.footnote_lines:
            chosen = [page_lines[k] for k in raw.footnote_lines if k < len(page_lines)]
        elif shape in _TEXT_SHAPES:
            chosen = _trailing_block(page_lines)
        else:
            continue
        notes = _group_notes(chosen)
        spans = [(start, end) for _, start, end in notes]
        linked = [Footnote(marker, start, end, page.number,
                           _marker_refs(text, marker, page.start, page.end, spans))
                  for marker, start, end in notes]
        if raw.footnote_lines or any(f.ref_offsets for f in linked):
            found.extend(linked)
    return tuple(found)


def _trailing_block(page_lines: list[Line]) -> list[Line]:
    """The page's last block of lines (page numbers aside) when it opens with a footnote
    marker, holds no table row and is not the whole page."""
    end = len(page_lines)
    while end and (not page_lines[end - 1].text.strip() or _page_number(page_lines[end - 1].text) is not None):
        end -= 1
    start = end
    while start and page_lines[start - 1].text.strip():
        start -= 1
    block = page_lines[start:end]
    if not block or not any(ln.text.strip() for ln in page_lines[:start]):
        return []
    if any("\t" in ln.text for ln in block) or not FOOTNOTE_START.match(block[0].text):
        return []
    return block


def _group_notes(chosen: list[Line]) -> list[tuple[str, int, int]]:
    """``(marker, start, end)`` per footnote: a marker line and the unmarked lines after it."""
    notes: list[tuple[str, int, int]] = []
    for ln in chosen:
        m = FOOTNOTE_START.match(ln.text)
        end = ln.start + len(ln.text.rstrip())
        if m:
            notes.append((m.group("marker"), ln.start + m.start("marker"), end))
        elif notes and ln.text.strip():
            notes[-1] = (notes[-1][0], notes[-1][1], end)
    return notes


def _marker_refs(text: str, marker: str, start: int, end: int,
                 notes: list[tuple[int, int]]) -> tuple[int, ...]:
    """Offsets of ``marker`` in the page's body (``text[start:end]`` outside the footnotes)
    where it stands as a reference mark: right after a word or a closing bracket for ``1)``
    and ``a)``, unless its ")" closes a bracket opened before it on the line (``(表1)``,
    ``(Study 2a)``); right after text, and not inside a run of marks or a longer number, for
    ``*1``, ``※`` and ``注1)`` (``*1`` and ``※`` also first on a line when the line before ends
    in a word and text follows the mark at once: a wrapped sentence, not a note)."""
    closes = False
    symbols, mark = re.escape(_SYMBOLS), re.escape(marker)
    if marker.startswith("注"):
        pattern = rf"(?<=[^\s{symbols}]){mark}(?![\d{symbols}])"
    elif marker[0] in _SYMBOLS:  # also first on a line that continues a word (wrapped text)
        pattern = rf"(?:(?<=[^\s{symbols}]){mark}(?![\d{symbols}])|(?<=[^\W\d_]\n){mark}(?![\d{symbols}\s:：]))"
    elif marker[0].isdigit():
        pattern, closes = rf"{_BEFORE_NUMBERED}(?<!注){mark}", True
    else:
        pattern, closes = rf"{_BEFORE_LETTERED}{mark}", True
    return tuple(m.start() for m in re.compile(pattern).finditer(text, start, end)
                 if not any(a <= m.start() < b for a, b in notes)
                 and not (closes and _open_bracket_before(text, m.start())))


def _open_bracket_before(text: str, offset: int) -> bool:
    """Whether a "(" opened earlier on the line is still open at ``offset`` (walking back,
    each ")" hides one "(")."""
    depth = 0
    for ch in reversed(text[text.rfind("\n", 0, offset) + 1:offset]):
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                return True
            depth -= 1
    return False


# --------------------------------------------------------------------------- headings

_DECIMAL = re.compile(r"^(?P<num>[1-9]\d?(?:\.(?:\d{1,2}|R|\(\d{1,2}\)))*\.?)"
                      r"(?:\s+|(?=[^\x00-\x7f]))(?P<title>\S.*)$")
_PAREN = re.compile(r"^\((?P<n>\d{1,2})\)\s*(?P<title>\S.*)$")
_CIRCLED_CHARS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CIRCLED = re.compile(rf"^(?P<c>[{_CIRCLED_CHARS}])(?:\s?-\s?(?P<sub>\d{{1,2}}))?\s*(?P<title>\S.*)$")
_BRACKET = re.compile(r"^(?P<num>[【〔][^【】〔〕]{1,30}[】〕])\s*(?:\([^()]{1,30}\))?$")
# What a 〔…〕 label holds when it is a heading (old-format inserts that print 〔効能・効果〕 where
# others print 【効能・効果】; in a document with 【…】 headings 〔…〕 labels are no headings), not a
# citation code (〔TEGM05467〕) or a revision date (〔**2021年10月改訂〕): words, in Japanese.
_LABEL_TITLE = re.compile(r"^\s*[\u3040-\u30ff\u4e00-\u9fff]")
# Revision marks before a heading (``*6. 用法及び用量``, ``**【効能・効果】``): the heading is the rest.
_REVISION = re.compile(r"^[*＊※]{1,3}\s*(?=[1-9【〔])")
# Spaces a heading is set with between its Japanese characters (``【用 法 及 び 用 量】``).
_SPACED = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_TABLE_EN = re.compile(r"^(?P<num>Table\s\d{1,3})(?:\.\s*|\s+(?=[A-Z]))(?P<title>[^\d\s].*)$")
_TABLE_JA = re.compile(r"^(?P<num>表\s?\d{1,3})(?!\d)\s*[:.]?\s*(?P<title>[^\s\dにのはをでとがやもよ、。].*)$")
# Unnumbered headings every package insert / review report of its kind prints on a line of
# their own (電子添文 items, the "Indications" block of a PMDA review); they rank with 【…】.
_NAMED_HEADINGS = (
    "警告", "禁忌", "禁忌・禁止", "効能又は効果", "効能・効果", "効能、効果又は性能", "用法及び用量",
    "用法・用量", "用法及び用量又は使用方法", "使用上の注意", "重要な基本的注意", "重大な副作用",
    "その他の副作用", "承認条件", "承認条件及び期限", "Indications", "Dosage and Administration",
    "Conditions of Approval", "Warnings?", "Contraindications", "Precautions",
)
_NAMED = re.compile(r"^(?P<title>" + "|".join(_NAMED_HEADINGS) + r")\s*(?:\([^()]{1,40}\))?$", re.I)
_TOC_TAIL = re.compile(r"(?:\t|\.{4,}|…{2,}|\s{3,})\s*\d{1,3}\s*$")
# A title that starts with a unit or a digit is a value, not a heading ("2.5 mg", "3.4. 2025 年").
_NOT_TITLE_START = re.compile(r"^(?:\d|[a-zμ%~×(]|個|倍|日|週|時間|分|年|ヵ月|か月|カ月|例|mg)")
_LIST_MARK = re.compile(r"^(?:[・•●○◆◇■□▪‐\-–]\s?|\*\s|\(\d{1,2}\)|\d{1,2}[.)](?!\d)|[①-⑳]|[a-z]\)\s|[ア-ン][.)])")
_FOOTNOTE_MARK = re.compile(r"^(?:-\s)?(?:\*{1,3}(?:\d|\S)|\*\s?[:：]|※|注\d*[):：]|#\d|[†‡§]|[a-z]\)\S|\^\d{1,2}\))")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A line that looks like a heading. ``parts``: decimal components (``("7","R","4")``,
    ``("1","(1)")``), or ``(n,)`` for ``(n)``/``①``, ``(n, sub)`` for ``①-1``."""

    line: int
    style: str  # decimal | paren | circled | circled_sub | bracket | table
    parts: tuple[str, ...]
    number: str
    title: str


_ABBREVIATION_END = re.compile(r"(?:\betc|\be\.g|\bi\.e|\bvs|\bInc|\bLtd|\bCo|\bNo)\.$")


def _is_sentence(title: str) -> bool:
    """Headings do not end a sentence (``etc.`` aside) nor hold a sentence break."""
    title = title.rstrip()
    if title.endswith("。") or "。" in title[:-1]:
        return True
    if title.endswith(".") and not _ABBREVIATION_END.search(title):
        return True
    return bool(re.search(r"(?<!etc)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bNo)\.\s+[A-Z]", title))


def _candidate(index: int, text: str) -> _Candidate | None:
    """The heading pattern a stripped line matches, if any (before context rules)."""
    if "\t" in text or not text:
        return None
    text = _REVISION.sub("", text)
    found = _decimal_candidate(index, text) or _item_candidate(index, text) or _label_candidate(index, text)
    if found is not None and found.style == "bracket":
        return _Candidate(found.line, found.style, found.parts, found.number, _SPACED.sub("", found.title).strip())
    return found


def _decimal_candidate(index: int, text: str) -> _Candidate | None:
    """``1.``, ``1.1``, ``7.R.4``, ``1.(1)`` with a short title that is not a sentence."""
    m = _DECIMAL.match(text)
    if not m or _TOC_TAIL.search(text):
        return None
    number, title = m.group("num"), m.group("title").strip()
    parts = tuple(p for p in re.split(r"\.|(?=\()", number) if p)
    if len(parts) == 1 and not number.endswith("."):
        return None
    limit = 50 if detect_lang(title) == "ja" else 110
    if len(text) > limit or _is_sentence(title) or _NOT_TITLE_START.match(title):
        return None
    return _Candidate(index, "decimal", parts, number, title)


def _item_candidate(index: int, text: str) -> _Candidate | None:
    """``(1)`` (a short label, no commas) and ``①`` / ``①-1``."""
    m = _PAREN.match(text)
    if m:
        title = m.group("title").strip()
        if len(title) > 30 or _is_sentence(title) or _NOT_TITLE_START.match(title) or re.search(r"[,、:]", title):
            return None
        return _Candidate(index, "paren", (m.group("n"),), f"({m.group('n')})", title)
    m = _CIRCLED.match(text)
    if not m or len(m.group("title").strip()) > 60:
        return None
    title = m.group("title").strip()
    main = str(_CIRCLED_CHARS.index(m.group("c")) + 1)
    if m.group("sub"):
        return _Candidate(index, "circled_sub", (main, m.group("sub")), text[: m.start("title")].strip(), title)
    return _Candidate(index, "circled", (main,), m.group("c"), title)


def _label_candidate(index: int, text: str) -> _Candidate | None:
    """``【…】`` labels, the standard unnumbered headings, and table captions."""
    m = _BRACKET.match(text)
    if m and (m.group("num")[0] == "【" or _LABEL_TITLE.match(m.group("num")[1:-1])):
        return _Candidate(index, "bracket", (), m.group("num"), m.group("num")[1:-1])
    m = _NAMED.match(text)
    if m:
        return _Candidate(index, "bracket", (), "", m.group("title"))
    m = _TABLE_EN.match(text) or _TABLE_JA.match(text)
    if m and len(text) <= 200:
        return _Candidate(index, "table", (), m.group("num"), m.group("title").strip())
    return None


def _toc_titles(lines: list[Line]) -> set[str]:
    """Titles listed in a table of contents (``1.\\tはじめに\\t2``, ``1. Introduction .... 3``),
    spaces removed: a numbered line with such a title is a confirmed heading."""
    titles: set[str] = set()
    for ln in lines:
        text = ln.text.strip()
        tail = _TOC_TAIL.search(text)
        if not tail:
            continue
        head = re.match(r"^[1-9]\d?(?:\.\d{1,2})*\.?\s*(.+)$", text[: tail.start()].strip())
        if head and re.search(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]", head.group(1)):
            titles.add(_squash(head.group(1)))
    return titles


def _squash(s: str) -> str:
    return re.sub(r"[\s\t.…]+", "", s)


# --------------------------------------------------------------------------- sections


def find_sections(lines: list[Line], text_len: int, *, tabbed_tables: bool = False) -> tuple[Section, ...]:
    """Headings (see the module docstring for the rules) nested into a tree.

    ``tabbed_tables``: tables are runs of tab-separated lines, so a table caption's section
    can end where its table (and the footnotes under it) ends, instead of running on into
    the prose that follows."""
    stripped = [ln.text.strip() for ln in lines]
    cands = [c for i, t in enumerate(stripped) if (c := _candidate(i, t)) is not None]
    if any(c.number.startswith("【") for c in cands):  # 〔…〕 under 【…】 headings is a sub-label
        cands = [c for c in cands if not c.number.startswith("〔")]
    accepted_decimal = _accept_decimals(cands, stripped, _toc_titles(lines))
    builder = _TreeBuilder(lines, text_len)
    for cand in cands:
        builder.expire_table(cand.line)
        if cand.style == "decimal":
            if cand.line in accepted_decimal:
                builder.decimal(cand)
        elif cand.style in ("paren", "circled", "circled_sub"):
            if _followed_by_body(cand, stripped):
                builder.numbered_item(cand)
        else:
            builder.plain(cand)
            if cand.style == "table" and tabbed_tables:
                builder.table_until = _table_end(stripped, cand.line)
    return builder.finish()


def _table_end(stripped: list[str], caption: int) -> int | None:
    """Where a caption's table ends, reading the text as runs of non-blank lines: the table is
    the runs that hold tab-separated rows (a cell may wrap onto a line without a tab) and the
    footnote runs under them; it ends at the first run of plain text. None when no table
    follows the caption within a few lines."""
    runs = _runs(stripped, caption + 1)
    first = next((k for k, run in enumerate(runs[:2]) if _has_tab(stripped, run)), None)
    if first is None or runs[first][0] - caption > 5:
        return None
    for run in runs[first + 1:]:
        lines = stripped[run[0]:run[1]]
        if not _has_tab(stripped, run) and not all(_FOOTNOTE_MARK.match(t) for t in lines):
            return run[0]
    return None


def _runs(stripped: list[str], start: int) -> list[tuple[int, int]]:
    """Runs of consecutive non-blank lines from ``start``, as (first, end) line indices."""
    runs: list[tuple[int, int]] = []
    i = start
    while i < len(stripped):
        if not stripped[i]:
            i += 1
            continue
        j = i
        while j < len(stripped) and stripped[j]:
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _has_tab(stripped: list[str], run: tuple[int, int]) -> bool:
    return any("\t" in t for t in stripped[run[0]:run[1]])


def _next_text(stripped: list[str], index: int) -> str:
    for t in stripped[index + 1:]:
        if t:
            return t
    return ""


def _followed_by_body(cand: _Candidate, stripped: list[str]) -> bool:
    """A list item is followed by its sibling; a heading by its text."""
    nxt = _next_text(stripped, cand.line)
    following = _candidate(cand.line + 1, nxt) if nxt else None
    if not nxt or (following is not None and following.style == cand.style):
        return False
    if cand.style == "paren" and nxt.startswith("("):
        return False
    return not (cand.style == "circled" and nxt[:1] in _CIRCLED_CHARS and "-" not in nxt[:4])


def _accept_decimals(cands: list[_Candidate], stripped: list[str], toc: set[str]) -> set[int]:
    """Which decimal candidates are headings (line indices); see the module docstring."""
    decimals = [c for c in cands if c.style == "decimal"]
    accepted: set[int] = set()
    accepted_parts: set[tuple[str, ...]] = set()
    top = 0            # the current top-level number (shown, or implied by its N.1)
    list_seen = False  # a one-level number was rejected since the last top-level heading
    for k, cand in enumerate(decimals):
        n = int(cand.parts[0])
        if len(cand.parts) == 1:
            nxt = decimals[k + 1] if k + 1 < len(decimals) else None
            weak = top >= 1 and n == top + 1 and not list_seen and not _next_is_list_item(cand, stripped)
            if _confirmed(cand, nxt, toc) or weak:
                accepted.add(cand.line)
                accepted_parts = {p for p in accepted_parts if p[0] != cand.parts[0]} | {cand.parts}
                top, list_seen = n, False
            else:
                list_seen = True
            continue
        if len(cand.parts) == 2 and n == top + 1 and cand.parts[1] in ("1", "(1)"):
            top, list_seen = n, False  # "1.1" with no "1." printed before it
            accepted_parts = {p for p in accepted_parts if p[0] != cand.parts[0]}
        if n == top and (len(cand.parts) == 2 or cand.parts[:-1] in accepted_parts):
            accepted.add(cand.line)
            accepted_parts.add(cand.parts)
    return accepted


def _confirmed(cand: _Candidate, nxt: _Candidate | None, toc: set[str]) -> bool:
    """``N.`` is surely a heading when the next decimal heading is its child, the table of
    contents lists its title, or it is item N of the package-insert (電子添文) layout."""
    has_child = nxt is not None and len(nxt.parts) > 1 and nxt.parts[0] == cand.parts[0]
    return has_child or _squash(cand.title) in toc or _is_insert_item(int(cand.parts[0]), cand.title)


# The numbered items of a Japanese package insert (電子添文, the 2019 layout): every insert
# prints item N under the same heading, skipping the items that do not apply.
_INSERT_ITEMS: dict[int, tuple[str, ...]] = {
    1: ("警告",), 2: ("禁忌",), 3: ("組成・性状",), 4: ("効能又は効果", "効能・効果"),
    5: ("効能又は効果に関連する注意",), 6: ("用法及び用量", "用法・用量"), 7: ("用法及び用量に関連する注意",),
    8: ("重要な基本的注意",), 9: ("特定の背景を有する患者に関する注意",), 10: ("相互作用",), 11: ("副作用",),
    12: ("臨床検査結果に及ぼす影響",), 13: ("過量投与",), 14: ("適用上の注意",), 15: ("その他の注意",),
    16: ("薬物動態",), 17: ("臨床成績",), 18: ("薬効薬理",), 19: ("有効成分に関する理化学的知見",),
    20: ("取扱い上の注意",), 21: ("承認条件",), 22: ("包装",), 23: ("主要文献",), 24: ("文献請求先及び問い合わせ先",),
    25: ("保険給付上の注意",), 26: ("製造販売業者等",),
}


def _is_insert_item(number: int, title: str) -> bool:
    title = title.replace(" ", "")
    return any(title == name or title.startswith(name + "(") for name in _INSERT_ITEMS.get(number, ()))


def _next_is_list_item(cand: _Candidate, stripped: list[str]) -> bool:
    following = _candidate(cand.line + 1, _next_text(stripped, cand.line))
    return following is not None and following.style == "decimal" and len(following.parts) == 1


@dataclass
class _Node:
    """A section being built (mutable until ``finish``)."""

    cand: _Candidate
    start: int
    number: str | None
    end: int = -1
    children: list["_Node"] = field(default_factory=list)


class _TreeBuilder:
    """Keeps the stack of open sections; each heading style decides what it closes."""

    def __init__(self, lines: list[Line], text_len: int) -> None:
        self.lines, self.text_len = lines, text_len
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.table_until: int | None = None  # line index where the open table caption ends

    def expire_table(self, line_index: int) -> None:
        """Close the open table caption when its table ended before ``line_index``."""
        if self.table_until is not None and self.table_until <= line_index:
            line = self.lines[self.table_until]
            self._close_tables(line.start + len(line.text) - len(line.text.lstrip()))
            self.table_until = None

    def _pop_to(self, depth: int, at: int) -> None:
        while len(self.stack) > depth:
            self.stack.pop().end = at

    def _push(self, cand: _Candidate) -> None:
        number = _as_printed(cand, self.lines[cand.line]) if cand.number else None
        node = _Node(cand, self._start(cand), number)
        (self.stack[-1].children if self.stack else self.roots).append(node)
        self.stack.append(node)

    def _close_tables(self, at: int) -> None:
        while self.stack and self.stack[-1].cand.style == "table":
            self.stack.pop().end = at

    def _start(self, cand: _Candidate) -> int:
        line = self.lines[cand.line]
        return line.start + len(line.text) - len(line.text.lstrip())

    def decimal(self, cand: _Candidate) -> None:
        """``N.M…`` closes everything down to its parent decimal level."""
        at = self._start(cand)
        depth = len(self.stack)
        while depth and not (self.stack[depth - 1].cand.style == "decimal"
                             and len(self.stack[depth - 1].cand.parts) < len(cand.parts)):
            depth -= 1
        self._pop_to(depth, at)
        self._push(cand)

    def numbered_item(self, cand: _Candidate) -> None:
        """``(n)``, ``①``, ``①-1``: a sibling of the previous item when in sequence, the first
        child when it is number 1; anything else is a list, not a heading."""
        at = self._start(cand)
        self._close_tables(at)
        same = next((i for i in range(len(self.stack) - 1, -1, -1)
                     if self.stack[i].cand.style == cand.style), None)
        if same is not None and _follows(self.stack[same].cand, cand):
            self._pop_to(same, at)
            self._push(cand)
        elif same is None and cand.parts[-1] == "1" and self._fits_parent(cand):
            self._push(cand)

    def _fits_parent(self, cand: _Candidate) -> bool:
        if cand.style != "circled_sub":
            return True
        return bool(self.stack) and self.stack[-1].cand.style == "circled" and \
            self.stack[-1].cand.parts[0] == cand.parts[0]

    def plain(self, cand: _Candidate) -> None:
        """Brackets replace an open bracket section; table captions are leaves."""
        at = self._start(cand)
        self._close_tables(at)
        if cand.style == "bracket":
            same = next((i for i in range(len(self.stack) - 1, -1, -1)
                         if self.stack[i].cand.style == "bracket"), None)
            if same is not None:
                self._pop_to(same, at)
        self._push(cand)

    def finish(self) -> tuple[Section, ...]:
        self.expire_table(len(self.lines))
        self._pop_to(0, self.text_len)
        return tuple(_freeze(n, 1) for n in self.roots)


def _follows(prev: _Candidate, cand: _Candidate) -> bool:
    if prev.parts[:-1] != cand.parts[:-1]:
        return False
    return int(cand.parts[-1]) == int(prev.parts[-1]) + 1


def _freeze(node: _Node, level: int) -> Section:
    return Section(node.number, node.cand.title, level, node.start, node.end,
                   tuple(_freeze(c, level + 1) for c in node.children))


def _as_printed(cand: _Candidate, line: Line) -> str:
    """The number as printed in the source (``１.（１）``) when the raw line maps back
    character for character; the cleaned form otherwise."""
    raw = line.raw.strip()
    prefix = raw[: len(cand.number)]
    if prefix != cand.number and clean_text(prefix) == cand.number:
        return prefix
    return cand.number


# --------------------------------------------------------------------------- blocks

_PAGE_NUMBER = re.compile(r"^(?:-\s?)?(\d{1,3})(?:\s?-)?$|^(\d{1,3})\s?/\s?\d{1,3}$|^(?:Page|p\.)\s?(\d{1,3})$")


def find_furniture(lines: list[Line], page_count: int) -> set[int]:
    """Line indices that are page furniture.

    With real pages (form feeds, PDF): a bare page number among the first or last two lines of
    a page, and running headers/footers (the same line, digits ignored, at the edge of many
    pages). Without pages: isolated bare numbers only when at least three of them rise at a
    steady pace through the document, as page numbers do (a lone number may be a table cell
    or a chart label)."""
    if page_count >= 2:
        edges = _page_edges(lines)
        found = {i for idx in edges.values() for i in idx if _page_number(lines[i].text) is not None}
        if page_count >= 3:
            found |= _running_lines(lines, edges, page_count)
        return found
    return _page_number_chain(lines)


def _page_number(text: str) -> int | None:
    m = _PAGE_NUMBER.match(text.strip())
    return int(next(g for g in m.groups() if g)) if m else None


def _page_edges(lines: list[Line]) -> dict[int, list[int]]:
    """For each page, the indices of its first two and last two non-blank lines."""
    by_page: dict[int, list[int]] = {}
    for i, ln in enumerate(lines):
        if ln.text.strip():
            by_page.setdefault(ln.page_index, []).append(i)
    return {p: sorted(set(idx[:2] + idx[-2:])) for p, idx in by_page.items()}


def _page_number_chain(lines: list[Line]) -> set[int]:
    isolated: list[tuple[int, int]] = []  # (line index, value)
    for i, ln in enumerate(lines):
        value = _page_number(ln.text)
        if value is None:
            continue
        before = i == 0 or not lines[i - 1].text.strip()
        after = i + 1 == len(lines) or not lines[i + 1].text.strip()
        if before and after:
            isolated.append((i, value))
    best: list[tuple[int, int]] = []
    for k in range(len(isolated)):
        chain = [isolated[k]]
        for item in isolated[k + 1:]:
            if item[1] > chain[-1][1]:
                chain.append(item)
        if len(chain) > len(best) and _steady(chain):
            best = chain
    return {i for i, _ in best} if len(best) >= 3 else set()


def _steady(chain: list[tuple[int, int]]) -> bool:
    """Lines per page between successive numbers stay within a factor of two."""
    paces = [(b[0] - a[0]) / (b[1] - a[1]) for a, b in zip(chain, chain[1:])]
    return bool(paces) and min(paces) >= 10 and max(paces) <= 2 * min(paces)


def _running_lines(lines: list[Line], edges: dict[int, list[int]], page_count: int) -> set[int]:
    keyed: dict[str, list[int]] = {}
    for idx in edges.values():
        for i in idx:
            keyed.setdefault(re.sub(r"\d+", "#", lines[i].text.strip()), []).append(i)
    need = max(3, int(page_count * 0.3))
    pages_of = Counter({k: len({lines[i].page_index for i in v}) for k, v in keyed.items()})
    return {i for k, v in keyed.items() if pages_of[k] >= need for i in v}


def _line_kind(text: str, shape: str) -> BlockKind:
    if "\t" in text:
        return "table_text"
    if shape == "markdown" and text.startswith("* "):
        return "list_item"
    if _FOOTNOTE_MARK.match(text):
        return "footnote"
    if _LIST_MARK.match(text):
        return "list_item"
    return "paragraph"


def find_blocks(doc_id: str, lines: list[Line], pages: list[Page], sections: tuple[Section, ...],
                doc_lang: Lang, shape: str = "layout", *,
                footnote_starts: frozenset[int] = frozenset()) -> tuple[Block, ...]:
    """Blocks: headings and furniture one line each; tab-separated runs as ``table_text``;
    a list item or footnote with its continuation lines; paragraphs as runs of lines.
    Blank lines and page breaks end a block."""
    refs = _RefHelper(doc_id, pages, sections)
    heading_starts = {s.start for s in _all_sections(sections)}
    furniture = find_furniture(lines, len(pages)) if shape in ("layout", "pdf") else set()
    blocks: list[Block] = []
    run: list[Line] = []
    run_kind: BlockKind = "paragraph"

    def flush() -> None:
        if run:
            joined = join_lines([ln.text for ln in run]) if run_kind != "table_text" else \
                "\n".join(ln.text.strip() for ln in run)
            if joined:
                start = run[0].start + len(run[0].text) - len(run[0].text.lstrip())
                blocks.append(Block(joined, _lang(joined, doc_lang), run_kind,
                                    refs.ref(start, run[-1].start + len(run[-1].text.rstrip()))))
            run.clear()

    for i, ln in enumerate(lines):
        text = ln.text.strip()
        if not text:
            flush()
            continue
        if run and run[-1].page_index != ln.page_index:
            flush()
        indent = len(ln.text) - len(ln.text.lstrip())
        if i in furniture or ln.start + indent in heading_starts:
            flush()
            run_kind = "furniture" if i in furniture else "heading"
            run.append(ln)
            flush()
            continue
        kind = "footnote" if ln.start + indent in footnote_starts else _line_kind(text, shape)
        continues = run and ((kind == "paragraph" and run_kind in ("paragraph", "list_item", "footnote"))
                             or (kind == "table_text" and run_kind == "table_text"))
        if not continues:
            flush()
            run_kind = kind
        run.append(ln)
    flush()
    return tuple(blocks)


def _lang(text: str, default: Lang) -> Lang:
    if not re.search(r"[A-Za-z\u3040-\u30ff\u3400-\u9fff]", text):
        return default
    return "ja" if detect_lang(text) == "ja" else "en"


def _all_sections(sections: tuple[Section, ...]) -> list[Section]:
    out: list[Section] = []
    for s in sections:
        out.append(s)
        out.extend(_all_sections(s.children))
    return out


class _RefHelper:
    """``Document.ref`` before the Document exists (same page and section rules)."""

    def __init__(self, doc_id: str, pages: list[Page], sections: tuple[Section, ...]) -> None:
        self.doc_id, self.pages, self.sections = doc_id, pages, sections

    def ref(self, start: int, end: int) -> SourceRef:
        page = next((p.number for p in reversed(self.pages) if p.start <= start), None)
        section = None
        level = self.sections
        while True:
            inner = next((s for s in level if s.start <= start < s.end), None)
            if inner is None:
                break
            section, level = inner.label, inner.children
        return SourceRef(self.doc_id, page, section, start, end)
