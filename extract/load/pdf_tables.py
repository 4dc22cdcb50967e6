"""The tables of a PDF page, read from pdfplumber's objects for ``pdf``'s page pass.

Why a module of its own: finding a page's tables and deciding whether a region is surely
a table (ruled grids, booktabs, captioned borderless regions) needs only the page's
characters, rules and pdfplumber's table finder, never the reading engines or OCR of ``pdf``.

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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from extract.load.layout import tab_columns
from extract.load.pdf_layout import TEXT_SETTINGS
from extract.normalize.text import clean_text, join_lines

RULED_TABLES: dict[str, Any] = {
    "vertical_strategy": "lines", "horizontal_strategy": "lines",
    "text_keep_blank_chars": True,
}


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


def within(page: Any, bbox: BBox) -> Any:
    """``page.within_bbox`` of the part of ``bbox`` on the page: rules and tables of real PDFs
    may run past the page's edges, and pdfplumber refuses a box outside the page."""
    x0, top, x1, bottom = page.bbox
    box = (max(bbox[0], x0), max(bbox[1], top), min(bbox[2], x1), min(bbox[3], bottom))
    empty = box[2] <= box[0] or box[3] <= box[1]  # nothing of it on the page: an empty view
    return page.within_bbox(box, strict=not empty)


def _split_at_captions(page: Any, x0: float, x1: float, ys: list[float]) -> list[list[float]]:
    """The rule heights in runs, a new run after any interval holding a caption line."""
    parts: list[list[float]] = [ys[:1]]
    for a, b in zip(ys, ys[1:]):
        band = within(page, (x0 - 1, a, x1 + 1, b)).extract_text(**TEXT_SETTINGS)
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
    return within(page, box).extract_text_lines(strip=False, return_chars=True, **TEXT_SETTINGS)


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
    region = within(page, bbox)
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
