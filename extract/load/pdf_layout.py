"""The geometry of a PDF page's text: footnotes, columns, vertical text, page furniture, and
the lay-out of placed lines with blank lines.

Why a module of its own: these read only the characters' and lines' positions (pdfplumber
page objects or plain ``(top, text)`` items), never the reading engines or OCR of ``pdf``,
and each is tested on its own. ``TEXT_SETTINGS`` lives here because the page pass, column
detection and the tables all read text lines with the same settings.

Layout, read from the characters' geometry (each case has a generated fixture in
``scripts/make_pdfs.py``, ``make_layouts``):

- Bands and columns (``find_bands``): the page is cut into horizontal bands at the elements
  that cross its column gutters (a title, a table or a figure across both columns, a rule under
  a header band), and each band is read full width or column by column, left to right (the
  page's reason says "two columns…", "three columns…"); a table inside a column stays in it.
  Forms, indented lists and unruled tables are not columns (see ``find_bands`` for the tests);
  a page that is not clearly in columns keeps the single top-to-bottom flow.
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

Line lay-out (``with_blank_lines``): a page's placed lines in order, with a blank line for
every empty line-pitch between two lines (paragraph breaks, as in text documents).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from typing import Any

from extract.load.layout import FOOTNOTE_START
from extract.model import FurnitureKind
from extract.normalize.text import clean_text

# pdfplumber text settings: keep printed spaces (indentation, column gaps); tolerances well
# below a line's height so lines never merge.
TEXT_SETTINGS: dict[str, Any] = {"keep_blank_chars": True, "x_tolerance": 3, "y_tolerance": 3}

Item = tuple[float, str]  # (top of the line on its page, text)
PAGE_SIDE_MAX = 14_400.0  # points: the largest page side PDF allows (200 inches)


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


Band = tuple[float, tuple[float, ...]]  # (where the band starts on the page, its gutters' x; () = full width)


def find_bands(words: list[Box], blocks: list[Box] | None = None) -> list[Band] | None:
    """The page cut into horizontal bands, top to bottom, each full width or in columns
    (``(start, splits)``; a band runs down to the next one's start), or None when no part of
    the page is in columns. ``words`` are ``(x0, top, x1, bottom)``; ``blocks`` are boxes
    read apart (tables): a block inside a column stays in it, one across a gutter is a
    full-width band of its own.

    The gutters are found for the whole page, as N-1 vertical strips crossed by the fewest
    printed lines, each near where equal columns would put it (within a third of a column
    width: the middle third of the text for two columns). The lines that cross a gutter (a
    title, a full-width table or figure, a footer) cut the page into bands; a run of lines
    between them is in columns when every column holds at least ``MIN_COLUMN_ROWS`` lines,
    is wide (half an equal column's width or more), leaves ``MIN_GUTTER`` of white before the
    next, and in every column but the last most lines run up to the gutter, as wrapped text
    does and labels do not (a form, an indented list or a table without rules also has white
    down the page; read column by column each label would leave its value). Once one run is
    so, shorter runs beside the same gutters are columns too when each column holds a line
    and the white stays. The runs in columns must hold a third of the page's lines or more.
    More columns are tried first: a three-column page must not pass as two columns whose
    right one interleaves two."""
    elements = list(words) + _block_rows(blocks or [], words)
    rows = _rows(elements)
    if len(rows) < MIN_COLUMN_ROWS:
        return None
    left, right = min(w[0] for w in elements), max(w[2] for w in elements)
    if not right - left <= PAGE_SIDE_MAX:
        return None  # glyphs placed off any page (damaged geometry): no columns to find
    counts = _coverage(rows, left, right)
    for n in range(MAX_COLUMNS, 1, -1):
        found = _n_bands(rows, counts, left, right, n)
        if found is not None:
            return found
    return None


def _block_rows(blocks: list[Box], words: list[Box]) -> list[Box]:
    """Each block as a stack of line-high boxes: a table filling a column counts as the lines
    it takes, not as one."""
    height = _median([w[3] - w[1] for w in words]) or 10.0
    stacked: list[Box] = []
    for x0, top, x1, bottom in blocks:
        k = max(1, min(int((bottom - top) / (1.5 * height)), 1000))
        step = (bottom - top) / k
        stacked += [(x0, top + i * step, x1, top + (i + 1) * step) for i in range(k)]
    return stacked


def _n_bands(rows: list[list[Box]], counts: list[int], left: float, right: float, n: int) -> list[Band] | None:
    """``find_bands`` for exactly ``n`` columns."""
    width = right - left
    reach = width / (3 * n)
    xs: list[float] = []
    for i in range(1, n):
        centre = left + i * width / n
        k = _gutter_k(counts, centre - reach - left, centre + reach - left)
        if k is None:
            return None
        xs.append(left + k)
    runs: list[tuple[bool, list[list[Box]]]] = [(False, [])]  # (crosses a gutter, rows)
    for row in rows:
        if any(w[0] < x < w[2] for w in row for x in xs):
            runs += [(True, [row]), (False, [])]  # a crossing row: a full-width run of its own
        else:
            runs[-1][1].append(row)
    runs = [(crossing, run) for crossing, run in runs if run]
    strict = [() if crossing else _columns_of(run, xs, width, n, strict=True) for crossing, run in runs]
    if not any(strict):
        return None
    splits = [found or (tuple(xs) if not crossing and _columns_of(run, xs, width, n, strict=False) else ())
              for (crossing, run), found in zip(runs, strict)]
    if 3 * sum(len(run) for (_, run), found in zip(runs, splits) if found) < len(rows):
        return None
    bands: list[Band] = []
    for (_, run), found in zip(runs, splits):
        start = min(w[1] for w in run[0])
        if bands and bands[-1][1] == found:
            continue  # the same layout goes on
        bands.append((start, found or ()))
    bands[0] = (-math.inf, bands[0][1])
    return bands


def _columns_of(run: list[list[Box]], xs: list[float], width: float, n: int, *, strict: bool) -> tuple[float, ...]:
    """``xs`` (the gutters, which no row of the run crosses) when this run of rows is in ``n``
    columns (``find_bands``' tests; ``strict`` for the run that proves the page is in
    columns), else ()."""
    bounds = [-math.inf, *xs, math.inf]
    columns = [[(min(w[0] for w in part), max(w[2] for w in part)) for part in
                ([w for w in row if lo < (w[0] + w[2]) / 2 < hi] for row in run) if part]
               for lo, hi in zip(bounds, bounds[1:])]
    if any(len(column) < (MIN_COLUMN_ROWS if strict else 1) for column in columns):
        return ()
    starts = [min(a for a, _ in column) for column in columns]
    ends = [max(b for _, b in column) for column in columns]
    if strict and any(end - start < width / (2 * n) for start, end in zip(starts, ends)):
        return ()
    for k in range(n - 1):
        white = _white_around(run, xs[k])
        if white is not None and white[1] - white[0] < MIN_GUTTER:
            return ()
        reach_gutter = sum(1 for _, end in columns[k] if ends[k] - end <= 0.2 * (ends[k] - starts[k]))
        if strict and reach_gutter < COLUMN_FILLED * len(columns[k]):
            return ()
    return tuple(xs)


def _white_around(run: list[list[Box]], x: float) -> tuple[float, float] | None:
    """The white strip around ``x`` that the rows printed on both sides of it leave (a page
    number centred under the columns is on one side only: it narrows no gutter); None when
    no row is printed on both sides."""
    before = [max(ends) for row in run if (ends := [w[2] for w in row if w[2] <= x]) and any(w[0] >= x for w in row)]
    after = [min(starts) for row in run if (starts := [w[0] for w in row if w[0] >= x]) and any(w[2] <= x for w in row)]
    return (max(before), min(after)) if before else None


def band_regions(bands: list[Band]) -> list[Box]:
    """The regions a page in bands is read in, in reading order: each band's columns from
    left to right, band after band (``(x0, top, x1, bottom)``, open-ended at the page's edges)."""
    inf = math.inf
    regions: list[Box] = []
    for k, (start, splits) in enumerate(bands):
        end = bands[k + 1][0] if k + 1 < len(bands) else inf
        bounds = [-inf, *splits, inf]
        regions += [(lo, start, hi, end) for lo, hi in zip(bounds, bounds[1:])]
    return regions


def region_of(regions: list[Box], x: float, y: float) -> int:
    """The index of the region holding the point (the first whose band holds ``y`` if none does)."""
    for k, (x0, top, x1, bottom) in enumerate(regions):
        if x0 <= x < x1 and top <= y < bottom:
            return k
    return next((k for k, (_, top, _, bottom) in enumerate(regions) if top <= y < bottom), 0)


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


# --------------------------------------------------------------------------- line lay-out


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


def _lay_out(placed: list[tuple[float, str]], line_height: float,
             page_height: float = PAGE_SIDE_MAX) -> tuple[list[str], dict[int, int]]:
    """``with_blank_lines``, plus where each placed item ended up: ``id(item)`` → line index.
    No gap holds more blank lines than the page's height in pitches (a damaged PDF can place
    a glyph millions of points away)."""
    steps = sorted(b[0] - a[0] for a, b in zip(placed, placed[1:]) if b[0] - a[0] > 1)
    pitch = min(max(steps[(len(steps) - 1) // 4], line_height), 2 * line_height) if steps else 0.0
    lines: list[str] = []
    index: dict[int, int] = {}
    for i, item in enumerate(placed):
        if i and pitch > 0:
            gap = min(item[0] - placed[i - 1][0], page_height)
            blanks = int(gap / pitch + 0.5) - 1
            lines.extend([""] * max(blanks, 0))
        index[id(item)] = len(lines)
        lines.append(item[1])
    return lines, index
