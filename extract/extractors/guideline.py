"""Optimal-use promotion guidelines (最適使用推進ガイドライン) to typed facts.

Every guideline MHLW publishes follows one template, and this module keys on that template
only (chapter headings, labelled intro blocks, numbered studies, "表 N" captions, table
headers, circled-number requirement units), never on one product's wording:

1. はじめに — 対象となる品目 / 効能 / 用法 labelled blocks  -> product, Indication, DosageRegimen
2. 本品の特徴、作用機序                                      -> (nothing)
3. 臨床成績 — "3.N. …第II相試験(CODE 試験)" + 表 N           -> StudyFact, EfficacyResult,
                                                               AdverseEventIncidence
   "表 N 主な選択・除外基準" <選択基準> • … ➢ …                -> EligibilityCriterion
4. 施設について — ①, ①-1, (1) …                             -> UseRequirement facility/physician
5. 投与対象となる患者 — 【有効性…】【安全性…】 ①②           -> UseRequirement eligible/excluded/
                                                               contraindication
6. 投与に際して留意すべき事項 — "表 N: … 管理アルゴリズム"    -> ManagementRule, UseRequirement warning

What cannot be read safely is recorded as an ``Issue`` and produces no fact.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from extract.model import (
    AdverseEventIncidence,
    DocumentInfo,
    Document,
    DosageRegimen,
    EfficacyResult,
    EligibilityCriterion,
    ExtractionResult,
    Fact,
    Indication,
    ManagementRule,
    Mention,
    ProductFact,
    StudyFact,
    UseRequirement,
)
from extract.extractors.product_info import is_soc
from extract.normalize.dosage import parse_dosage, regimen_fact
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, text_lines, trim_span
from extract.normalize.values import (
    find_dates,
    parse_count_percent,
    parse_date,
    parse_number,
    parse_year_month,
)

# --------------------------------------------------------------------------- text helpers


def _flat(text: str) -> str:
    """A fact's text: the evidence without blank lines or page breaks, so that the PDF and
    the text rendition of a document give the same fact (the evidence stays verbatim)."""
    return re.sub(r"\s*[\n\f]\s*", "\n", text)


# --------------------------------------------------------------------------- chapters

# The six chapters of the template, found by their heading words (numbering can vary).
_CHAPTER_WORDS: tuple[tuple[str, str], ...] = (
    ("intro", "はじめに"),
    ("features", "本品の特徴"),
    ("clinical", "臨床成績"),
    ("facility", "施設"),
    ("patients", "投与対象"),
    ("notes", "留意"),
)
_CHAPTER_LINE = re.compile(r"(?<![^\n\f])\d{1,2}\.\s*([^\t\n\f]+)(?![^\n\f])", re.M)


def _chapters(doc: Document) -> dict[str, tuple[int, int]]:
    """Chapter key -> (start, end). The table of contents has tab-separated page numbers, so
    a heading line with a tab is skipped; the first remaining match of each title wins."""
    starts: dict[str, int] = {}
    for m in _CHAPTER_LINE.finditer(doc.text):
        title = m.group(1)
        for key, word in _CHAPTER_WORDS:
            if key not in starts and word in title:
                starts[key] = m.start()
                break
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    out: dict[str, tuple[int, int]] = {}
    for i, (key, s) in enumerate(ordered):
        e = ordered[i + 1][1] if i + 1 < len(ordered) else len(doc.text)
        out[key] = (s, e)
    return out


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Grid:
    """A table with every cell anchored to its exact span in ``Document.text``.
    ``rows[r][c]`` is None for an empty cell."""

    rows: tuple[tuple[_Cell | None, ...], ...]
    start: int
    end: int

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _anchor_tables(doc: Document, ctx: ExtractContext) -> list[_Grid]:
    """Find each table's cells in ``doc.text``, in document order.

    The loader's cell offsets are not trusted (a repeated value such as ``0`` can point at
    its first occurrence on the page), so cells are searched sequentially from a cursor: a
    cell must lie at most two line breaks after the previous one. A cell that cannot be
    placed is dropped and reported."""
    grids: list[_Grid] = []
    cursor = 0
    for table in doc.tables:
        texts = table.rows()
        first = _first_row_start(doc.text, texts, cursor)
        if first is None:
            ctx.issue("warning", "table-unreadable", "a table could not be located in the text")
            continue
        last = first
        rows: list[tuple[_Cell | None, ...]] = []
        lost = 0
        # A table the loader joined across pages: a row that starts a new page is searched
        # from its own cell (the repeated header and page furniture lie between).
        page_starts = {c.row: c.ref.start for c in sorted(table.cells, key=lambda c: -c.ref.start)}
        page_of = {c.row: c.ref.page for c in table.cells}
        for r, row in enumerate(texts):
            if r and page_of.get(r) is not None and page_of.get(r) != page_of.get(r - 1):
                last = max(last, page_starts[r])
            cells: list[_Cell | None] = []
            for value in row:
                if not value:
                    cells.append(None)
                    continue
                pos = doc.text.find(value, last)
                if pos < 0 or doc.text[last:pos].strip() or doc.text.count("\n", last, pos) > 2:
                    cells.append(None)
                    lost += 1
                    continue
                cells.append(_Cell(value, pos, pos + len(value)))
                last = pos + len(value)
            rows.append(tuple(cells))
        if lost:
            ctx.issue("warning", "table-unreadable", f"{lost} table cell(s) not found in the text",
                                doc.ref(first, last))
        grids.append(_Grid(tuple(rows), first, last))
        cursor = last
    return _merge_continued(doc, grids)


def _row_texts(row: tuple[_Cell | None, ...]) -> tuple[str, ...]:
    return tuple(c.text if c else "" for c in row)


def _same_header(a: tuple[_Cell | None, ...], b: tuple[_Cell | None, ...]) -> bool:
    """Same header row, or the same stub-column title (器官別大分類 …) with the same width:
    a repeated header may drop a detail such as "N=225"."""
    if _row_texts(a) == _row_texts(b):
        return True
    return len(a) == len(b) and a[0] is not None and b[0] is not None and a[0].text == b[0].text


def _continues(doc: Document, prev: _Grid, grid: _Grid) -> bool:
    """Whether ``grid`` is the rest of ``prev``: its header repeated with no new caption in
    between, or nothing but a page break between two tables of the same width."""
    if _same_header(grid.rows[0], prev.rows[0]):
        return not _CAPTION.search(doc.text, prev.end, grid.start)
    gap = doc.text[prev.end:grid.start]
    return "\f" in gap and not gap.strip() and grid.n_cols == prev.n_cols


def _merge_continued(doc: Document, grids: list[_Grid]) -> list[_Grid]:
    """Join a table continued on the next page (same first header row, no new "表 N"
    caption in between) to its first part; the repeated header rows are dropped later."""
    out: list[_Grid] = []
    for grid in grids:
        prev = out[-1] if out else None
        if prev is not None and grid.rows and prev.rows and _continues(doc, prev, grid):
            out[-1] = _Grid(prev.rows + grid.rows, prev.start, grid.end)
        else:
            out.append(grid)
    return out


def _first_row_start(text: str, rows: list[list[str]], cursor: int) -> int | None:
    """Offset of the table's first cell: the first occurrence after ``cursor`` from which the
    rest of the first non-empty row follows on the same line (guards against a short first
    cell such as ``0`` matching in the prose before the table)."""
    row = next((r for r in rows if any(r)), None)
    if row is None:
        return None
    values = [v for v in row if v]
    pos = text.find(values[0], cursor)
    while pos >= 0:
        at = pos + len(values[0])
        ok = True
        for v in values[1:]:
            nxt = text.find(v, at)
            if nxt < 0 or text[at:nxt].strip() or "\n" in text[at:nxt]:
                ok = False
                break
            at = nxt + len(v)
        if ok:
            return pos
        pos = text.find(values[0], pos + 1)
    return None


_CAPTION = re.compile(r"表\s*\d+\s*[::]?\s*[^\n\f]*")


def _caption(doc: Document, grid: _Grid, floor: int) -> tuple[str, int, int] | None:
    """The last "表 N …" caption between ``floor`` and the table, plus a following line that
    continues it in parentheses (which may end a page, so ``\f`` ends a line too). A continuation of a split table finds the caption of its
    first part, since no new caption stands between them."""
    found = None
    for m in _CAPTION.finditer(doc.text, floor, grid.start):
        line_start = doc.text.rfind("\n", 0, m.start()) + 1
        if doc.text[line_start:m.start()].strip() in ("", "-"):
            found = m
    if found is None:
        return None
    start, end = found.start(), found.end()
    nxt = re.match(r"[\n\f]\s*(\([^\n\f]*\))[ \t]*(?=[\n\f]|$)", doc.text[end:grid.start])
    if nxt:
        end += nxt.end()
    return doc.text[start:end], start, end


def _data_cutoff(caption: str) -> dt.date | None:
    """The date the caption gives for the data cut-off (データカットオフ)."""
    at = caption.find("カットオフ")
    if at < 0:
        return None
    before = [d for d, _s, e in find_dates(caption) if e <= at]
    return before[-1] if before else None


def _column_labels(doc: Document, grid: _Grid, header_count: int,
                   ctx: ExtractContext) -> list[list[_Cell]]:
    """For each column, the header cells above it, outermost first.

    A label in a header row above the leaf row covers the columns to its right only when
    the labels of that row tile the columns regularly (every k columns up to the table's
    end); otherwise the spans are unreadable and each label stays on its own column, so
    that no column is given a group it may not belong to."""
    n = grid.n_cols
    labels: list[list[_Cell]] = [[] for _ in range(n)]
    ambiguous = False
    for r in range(header_count):
        row = list(grid.rows[r]) + [None] * (n - len(grid.rows[r]))
        present = [c for c in range(1, n) if row[c] is not None]
        width = _tile_width(present, n) if r < header_count - 1 else 1
        if width is None and len(present) > 1 and not ambiguous:
            ambiguous = True
            ctx.issue("warning", "table-unreadable", "column groups of a table header are ambiguous: each "
                                "group label kept on its own column", doc.ref(grid.start, grid.end))
        for c in present:
            cell = row[c]
            assert cell is not None
            for cc in range(c, min(n, c + (width or 1))):
                labels[cc].append(cell)
    return labels


def _tile_width(cols: list[int], n: int) -> int | None:
    if not cols:
        return None
    if len(cols) == 1:
        return n - cols[0]
    steps = {b - a for a, b in zip(cols, cols[1:])}
    if len(steps) == 1:
        k = steps.pop()
        if cols[-1] + k == n:
            return k
    return None


_COUNT_LABEL = re.compile(r"^例数")
_N_IN_LABEL = re.compile(r"(?:(\d+)\s*例|N\s*=\s*(\d+))")


def _arm(labels: list[_Cell]) -> tuple[str | None, int | None]:
    """Arm text (header labels joined, the "例数 (%)" unit label left out) and its N."""
    parts: list[str] = []
    n: int | None = None
    for cell in labels:
        m = _N_IN_LABEL.search(cell.text)
        if m:
            n = int(m.group(1) or m.group(2))
        if _COUNT_LABEL.match(cell.text):
            continue
        parts.append(re.sub(r"\s+\^", "^", cell.text))
    return (" / ".join(parts) if parts else None), n


def _header_count(grid: _Grid) -> int:
    """Leading rows whose first cell is empty or a stub-column title are headers."""
    count = 0
    for r, row in enumerate(grid.rows):
        first = row[0] if row else None
        is_title = r == 0 and first is not None and not any(
            c is not None and _is_value(c.text) for c in row[1:])
        if first is None or is_title:
            count += 1
            continue
        break
    return count


def _is_value(text: str) -> bool:
    return bool(re.match(r"^[<>]?\s*(?:\d|NE\b|\[)", text))


# --------------------------------------------------------------------------- cover and intro


@dataclass(frozen=True, slots=True)
class _Product:
    mention: Mention
    fact: ProductFact


_BRAND = re.compile(r"販売名\s*[::]\s*([^)\n\f]+)")
_GENERIC = re.compile(r"(?<![^\n\f])(?P<brand>[^\n\f(]+?)\s*\(一般名\s*[::]\s*(?P<inn>(?:[^()\n\f]|\([^()\n\f]*\))+)\)", re.M)
_TARGET_LABEL = re.compile(r"(?<![^\n\f])対象となる(?P<what>[^::\n\f]{1,20})[::]\s*(?![^\n\f])", re.M)


def _cover(doc: Document, end: int, ctx: ExtractContext) -> DocumentInfo:
    """Title lines and the issue date printed on the cover (before the first chapter)."""
    lines = text_lines(doc.text, 0, end)
    title: list[Line] = []
    issued: dt.date | None = None
    for line in lines:
        if line.text.startswith("目次"):
            break
        day = parse_date(line.text)
        month = parse_year_month(line.text) if day is None else None
        if day is not None or month is not None:
            # The cover usually prints year and month only (令和5年12月): the day is not
            # known, and the first of the month stands for it.
            issued = day or dt.date(month[0], month[1], 1)  # type: ignore[index]
            break
        title.append(line)
    if issued is None:
        ctx.issue("warning", "field-missing", "no issue date on the cover")
    if not title:
        return DocumentInfo(issued=issued)
    ref = doc.ref(title[0].start, title[-1].end)
    return DocumentInfo(title=" ".join(t.text for t in title), issued=issued, ref=ref)


def _intro_blocks(doc: Document, start: int, end: int) -> dict[str, tuple[int, int]]:
    """The labelled blocks of chapter 1 (対象となる品目 / 効能 / 用法) -> body span."""
    marks = [(m.group("what"), m.start(), m.end()) for m in _TARGET_LABEL.finditer(doc.text, start, end)]
    out: dict[str, tuple[int, int]] = {}
    for i, (what, _s, body) in enumerate(marks):
        stop = marks[i + 1][1] if i + 1 < len(marks) else end
        key = "indication" if "効能" in what else "dosage" if "用法" in what else "product"
        out.setdefault(key, trim_span(doc.text, body, stop))
    return out


def _product(doc: Document, info_end: int, blocks: dict[str, tuple[int, int]],
             ctx: ExtractContext) -> _Product | None:
    """Brand (販売名 on the cover, else the 対象となる品目 line) and substance (一般名)."""
    brand_names: list[str] = []
    ref_span: tuple[int, int] | None = None
    m = _BRAND.search(doc.text, 0, info_end)
    if m:
        brand_names = [b.strip() for b in re.split(r"[、,]", m.group(1)) if b.strip()]
        ref_span = (m.start(1), m.end(1))
    inn: str | None = None
    if "product" in blocks:
        g = _GENERIC.search(doc.text, *blocks["product"])
        if g:
            inn = g.group("inn").strip()
            if not brand_names:
                brand_names = [b.strip() for b in re.split(r"[、,]", g.group("brand")) if b.strip()]
            ref_span = (g.start(), g.end())
    if not brand_names or ref_span is None:
        ctx.issue("error", "not-this-kind", "no product name (販売名) found")
        return None
    mention = Mention(brand_names[0], doc.lang, "product")
    substances = (Mention(inn, doc.lang, "substance"),) if inn else ()
    fact = ProductFact(mention, doc.ref(*ref_span), names=tuple(brand_names), substances=substances)
    return _Product(mention, fact)


def _indications(doc: Document, product: Mention, span: tuple[int, int]) -> list[Indication]:
    """One indication per line of the block, with the bullet conditions under it
    (ただし、以下のいずれも満たす… - …): users need the prior-therapy requirement as much
    as the disease, so the conditions stay in the indication's text."""
    groups: list[list[Line]] = []
    marker = re.compile(r"[-•・]|\(\d+\)|[①-⑳]")
    for line in text_lines(doc.text, *span):
        if groups and marker.match(line.text) and not marker.match(groups[-1][0].text):
            groups[-1].append(line)
        else:
            groups.append([line])
    out: list[Indication] = []
    for group in groups:
        start, end = group[0].start, group[-1].end
        first = re.split(r"。", group[0].text, maxsplit=1)[0].strip()
        disease = Mention(first, doc.lang, "concept") if first else None
        out.append(Indication(product, _flat(doc.text[start:end]), doc.ref(start, end), disease))
    return out


# --------------------------------------------------------------------------- dosage

_LINE = re.compile(r"[^\n\f]+")


def _dosages(doc: Document, product: Mention, span: tuple[int, int], ctx: ExtractContext,
             own_names: tuple[str, ...] = ()) -> list[DosageRegimen]:
    """Regimens in the 用法 block, one paragraph (line) at a time through the dosage parser:
    ``<drug>として <dose> を … <route>`` gives a pre-treatment or supportive drug's regimen
    (its substance kept, unless it is the product's own 一般名), a sentence without one the
    product's own; a following ``A ~ B の範囲`` sentence widens it to a range."""
    out: list[DosageRegimen] = []
    for m in _LINE.finditer(doc.text, *span):
        dosage = parse_dosage(m.group(), doc.lang)
        for reg in dosage.regimens:
            s, e = trim_span(doc.text, m.start() + reg.start, m.start() + reg.end)
            if reg.route is None:
                ctx.issue("warning", "dosage-unparsed", "a dose without a route was not read", doc.ref(s, e))
                continue
            out.append(regimen_fact(reg, dosage, product, doc.lang, doc.ref(s, e), _flat(doc.text[s:e]),
                                    own=own_names))
    return out


# --------------------------------------------------------------------------- studies

_STUDY_HEADING = re.compile(
    r"(?<![^\n\f])(?:(?:\d+\.)+\d*|\(\d+\)|[①-⑳])?\s*"
    r"(?P<title>[^\n\f]*?第\s*(?P<phase>I{1,3}|IV|I\s*/\s*II|II\s*/\s*III|[1-4])\s*相試験"
    r"[^\n\f]*?[((]\s*(?P<code>[A-Za-z0-9][A-Za-z0-9./-]*(?: [A-Za-z0-9][A-Za-z0-9./-]*)?)\s*試験\s*[))])"
    r"\s*(?![^\n\f])", re.M)
_ALIAS = re.compile(r"以下、「([^」]+?試験)」")
_ARABIC_PHASE = {"1": "I", "2": "II", "3": "III", "4": "IV"}


@dataclass(frozen=True, slots=True)
class _StudySection:
    code: str
    start: int
    end: int


def _study_sections(doc: Document, span: tuple[int, int]) -> list[_StudySection]:
    """Numbered study headings of chapter 3; each runs to the next heading or marker."""
    heads = list(_STUDY_HEADING.finditer(doc.text, *span))
    out: list[_StudySection] = []
    for i, h in enumerate(heads):
        stop = heads[i + 1].start() if i + 1 < len(heads) else span[1]
        marker = re.search(r"\n【(?!(?:選択|除外)基準】)[^】\n\f]*】", doc.text[h.end():stop])
        if marker:
            stop = h.end() + marker.start()
        out.append(_StudySection(h.group("code"), h.start(), stop))
    return out


def _studies(doc: Document, product: Mention, span: tuple[int, int], grids: list[_Grid],
             ctx: ExtractContext) -> list[StudyFact]:
    """One StudyFact per study code, its aliases (以下、「MM-001 試験」) and phase."""
    by_code: dict[str, StudyFact] = {}
    for h in _STUDY_HEADING.finditer(doc.text, *span):
        code = h.group("code")
        phase = re.sub(r"\s+", "", h.group("phase"))
        phase = _ARABIC_PHASE.get(phase, phase)
        section = next(s for s in _study_sections(doc, span) if s.start == h.start())
        aliases = tuple(dict.fromkeys(a.group(1) for a in _ALIAS.finditer(doc.text, section.start, section.end)))
        enrollment = _enrollment(doc, section, grids)
        old = by_code.get(code)
        if old is None:
            by_code[code] = StudyFact((code,), doc.ref(h.start("title"), h.end("title")), aliases=aliases,
                                      title=h.group("title"), phase=phase, enrollment=enrollment,
                                      products=(product,))
        else:
            merged = tuple(dict.fromkeys(old.aliases + aliases))
            by_code[code] = StudyFact(old.identifiers, old.ref, merged, old.title, old.phase,
                                      old.enrollment or enrollment, old.products)
    for code, fact in by_code.items():
        if fact.enrollment is None:
            ctx.issue("warning", "field-missing", f"enrolment of study {code} is not stated", fact.ref)
    return list(by_code.values())


_ENROLLED = re.compile(r"(?<![各\d,])(\d[\d,]*)\s*例(?:が|を)?(?:組み入れられ|登録され|無作為化され|無作為に割り付けられ)")


def _enrollment(doc: Document, section: _StudySection, grids: list[_Grid]) -> int | None:
    """Patients enrolled: a sentence saying so, else the arms of an ITT-population table
    with one header row (in a randomised study the ITT population is every patient
    randomised)."""
    m = _ENROLLED.search(doc.text, section.start, section.end)
    if m:
        return int(m.group(1).replace(",", ""))
    for grid in grids:
        if not section.start <= grid.start < section.end:
            continue
        cap = _caption(doc, grid, section.start)
        if cap is None or "ITT" not in cap[0] or _header_count(grid) != 1:
            continue
        counts = [_N_IN_LABEL.search(c.text) for c in grid.rows[0][1:] if c is not None]
        if counts and all(counts):
            return sum(int(c.group(1) or c.group(2)) for c in counts if c)
    return None


# --------------------------------------------------------------------------- eligibility criteria
#
# A study's main inclusion/exclusion criteria (表 N 主な選択・除外基準) are criteria for entering
# the study, not conditions of use of the product, so they become EligibilityCriterion facts.
# One fact per top-level item, its sub-items (➢, ✓) kept in its text in reading order: a
# sub-item alone ("血清 M タンパク 0.5 g/dL 以上") means nothing without the lead-in that says
# whether any or all of its siblings must hold, so the user asking "what were the inclusion
# criteria of study X?" gets each criterion whole, as the table prints it.

_CRITERIA_CAPTION = re.compile(
    r"(?<![^\n\f])[ \t]*(?:-\s*)?表\s*(?P<n>\d+)\s*[::.]?[^\n\f]*?"
    r"(?P<words>選択|除外)(?:\s*[・/、]\s*除外|\s*基準\s*(?:及び|・|/|、)\s*除外)?\s*基準"
    r"[ \t]*(?:\([^()\n\f]*\)[ \t]*)?(?![^\n\f])", re.M)
# <選択基準>, 【除外基準】, [選択基準] anywhere; a bare 選択基準: or 選択基準 alone at the start of a line
# or cell.
_KIND_MARK = re.compile(
    r"[<〈《【\[]\s*(?:主な)?\s*(?P<a>選択|除外)基準\s*[>〉》】\]]\s*[::]?"
    r"|(?<![^\n\f\t])[ \t]*(?P<b>選択|除外)基準[ \t]*(?:[::]|(?=[\t\n\f])|\Z)")
# Bullets that are never part of a sentence (with the private-use symbol-font glyphs a PDF's
# Wingdings bullets come out as), and those that are bullets only at a line start (・ also joins
# words: 選択・除外, ワルデンストレーム・マクログロブリン).
_STRONG_BULLETS = "•●➢➤✓✔▪◆◇■□\uf020-\uf0ff"
_BULLET_MARK = re.compile(rf"[{_STRONG_BULLETS}]|(?<![^\n\f\t])[ \t]*[・○◯-](?=\s*\S)")
# Numbered items at a line start: (1), 1), 1., ①.
_NUMBER_MARK = re.compile(r"(?<![^\n\f\t])[ \t]*(?:\(\d{1,2}\)|\d{1,2}\)|\d{1,2}\.(?!\d)|[①-⑳])")
# What ends a criteria table: a caption, a footnote (also one listed as "- ^4) …"), a rule, a
# numbered heading.
_REGION_STOP = re.compile(r"^(?:-\s*)?(?:表\s*\d|図\s*\d|\*|\^\d|※|注\s*\d*\s*[)::])|^-{1,2}$|^\d+\.\d+\.?\s")
_KIND = {"選択": "inclusion", "除外": "exclusion"}


def _criteria_region(doc: Document, start: int, end: int) -> tuple[int, int] | None:
    """The span of a criteria table after its caption: lines from the first kind marker or
    item (within the first three lines) up to a blank line followed by a line that is not a
    bullet or marker (a numbered line there may be the next heading, (1) 前処置…), a
    footnote, a new caption or a numbered heading."""
    lines = text_lines(doc.text, start, end)
    first = next((i for i, ln in enumerate(lines[:3]) if _KIND_MARK.search(ln.text)
                  or _BULLET_MARK.match(ln.text) or _NUMBER_MARK.match(ln.text)), None)
    if first is None:
        return None
    last = lines[first]
    for ln in lines[first + 1:]:
        if _REGION_STOP.match(ln.text):
            break
        gap = doc.text[last.end:ln.start]
        opens = bool(_KIND_MARK.match(ln.text) or _BULLET_MARK.match(ln.text))
        # A page break is not a blank line: a table goes on at the top of the next page.
        if "\f" not in gap and re.search(r"\n[ \t]*\n", gap) and not opens:
            break
        last = ln
    return lines[first].start, last.end


def _criteria_items(doc: Document, start: int, end: int, default: str | None,
                    ctx: ExtractContext) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every top-level item: the first bullet (or numbering style) after
    a kind marker is that part's top level, any other is a sub-item kept in the item."""
    marks = [(m.start(), m.end(), _KIND[m.group("a") or m.group("b")])
             for m in _KIND_MARK.finditer(doc.text, start, end)]
    # parts: (kind, start, end); text before the first marker has the caption's kind
    parts: list[tuple[str | None, int, int]] = []
    if not marks or doc.text[start:marks[0][0]].strip():
        parts.append((default, start, marks[0][0] if marks else end))
    for i, (_s, e, kind) in enumerate(marks):
        parts.append((kind, e, marks[i + 1][0] if i + 1 < len(marks) else end))
    out: list[tuple[str, int, int]] = []
    for kind, s, e in parts:
        bullets = sorted([*_BULLET_MARK.finditer(doc.text, s, e), *_NUMBER_MARK.finditer(doc.text, s, e)],
                         key=lambda m: m.start())
        if not doc.text[s:e].strip():
            continue
        if kind is None or not bullets or doc.text[s:bullets[0].start()].strip():
            ctx.issue("warning", "section-unreadable", "eligibility criteria without a kind marker or bullets "
                                "were not read", doc.ref(*trim_span(doc.text, s, e)))
            continue
        top = _item_style(bullets[0].group())
        heads = [b for b in bullets if _item_style(b.group()) == top]
        for j, b in enumerate(heads):
            stop = heads[j + 1].start() if j + 1 < len(heads) else e
            a, z = trim_span(doc.text, b.end(), stop)
            if z > a:
                out.append((kind, a, z))
    return out


def _item_style(mark: str) -> str:
    """A bullet itself, or its numbering style ("(n)", "n)", "n.", circled) for a number."""
    mark = mark.strip()
    return "circled" if re.fullmatch(r"[①-⑳]", mark) else re.sub(r"\d+", "n", mark)


def _criteria_study(doc: Document, caption: int, number: str,
                    sections: list[_StudySection]) -> Mention | None:
    """The study the table belongs to: the one named in the paragraph that cites the table
    (…(以下、「MM-001 試験」)…主な選択・除外基準は表 1 のとおり), by its alias, else by the code
    in parentheses, else the numbered study section the table stands in."""
    section = next((s for s in sections if s.start <= caption < s.end), None)
    floor = section.start if section is not None else max(0, caption - 3000)
    cites = list(re.finditer(rf"表\s*{number}(?!\d)", doc.text[floor:caption]))
    if cites:
        at = floor + cites[-1].start()
        para_start = max(floor, doc.text.rfind("\n\n", floor, at) + 1)
        paragraph = doc.text[para_start:at]
        aliases = list(dict.fromkeys(m.group(1) for m in _ALIAS.finditer(paragraph)))
        if len(aliases) == 1:
            return Mention(aliases[0], doc.lang, "study")
        codes = list(dict.fromkeys(re.findall(r"[((]\s*([A-Za-z0-9][A-Za-z0-9./-]*)\s*試験\s*[))]", paragraph)))
        if len(aliases) + len(codes) == 1:
            return Mention(codes[0], doc.lang, "study")
    return Mention(section.code, doc.lang, "study") if section is not None else None


def _eligibility(doc: Document, product: Mention, span: tuple[int, int],
                 ctx: ExtractContext) -> list[EligibilityCriterion]:
    """Every "表 N …選択・除外基準" table of chapter 3, criterion by criterion."""
    sections = _study_sections(doc, span)
    captions = list(_CRITERIA_CAPTION.finditer(doc.text, *span))
    out: list[EligibilityCriterion] = []
    for i, cap in enumerate(captions):
        words = cap.group()
        default = None if ("選択" in words and "除外" in words) else _KIND[cap.group("words")]
        # the same caption repeated on the next page (表 1 …(続き)): the same study, and items
        # before any marker are of the kind the first part ended with
        before = [f for f in out if f.ref.start < cap.start()]
        repeated = bool(before) and i > 0 and captions[i - 1].group("n") == cap.group("n")
        if repeated:
            default = before[-1].kind
        limit = captions[i + 1].start() if i + 1 < len(captions) else span[1]
        region = _criteria_region(doc, cap.end(), limit)
        if region is None:
            ctx.issue("warning", "table-unreadable", "a criteria table without 選択基準/除外基準 items",
                                doc.ref(cap.start(), cap.end()))
            continue
        if any("\t" in ln.text and len({_KIND[m.group("a") or m.group("b")]
                                         for m in _KIND_MARK.finditer(ln.text)}) > 1
               for ln in text_lines(doc.text, *region)):
            ctx.issue("warning", "table-unreadable", "inclusion and exclusion criteria side by side in one "
                                "table row were not read", doc.ref(*region))
            continue
        study = before[-1].study if repeated else _criteria_study(doc, cap.start(), cap.group("n"), sections)
        if study is None:
            ctx.issue("warning", "study-unattributed", "criteria table of no known study", doc.ref(*region))
            continue
        for kind, a, z in _criteria_items(doc, *region, default, ctx):
            out.append(EligibilityCriterion(study, kind, _flat(doc.text[a:z]), doc.ref(a, z),  # type: ignore[arg-type]
                                            product))
    return out


# --------------------------------------------------------------------------- efficacy tables

_RESPONSE_ROWS = frozenset({"sCR", "CR", "VGPR", "PR", "MR", "SD", "PD", "NE", "nPR", "CRi", "PR+"})
_ENDPOINT_WORDS = (("PFS", "PFS"), ("OS", "OS"), ("DOR", "DOR"), ("EFS", "EFS"), ("無増悪生存", "PFS"),
                   ("全生存", "OS"), ("奏効期間", "DOR"))


def _endpoint_in(text: str) -> str | None:
    found = {ep for word, ep in _ENDPOINT_WORDS if re.search(rf"(?<![A-Za-z]){word}(?![A-Za-z])", text)}
    return found.pop() if len(found) == 1 else None


def _bracket(text: str) -> tuple[Decimal | None, Decimal | None] | None:
    """A "[lower, upper]" interval; NE (not estimable) leaves that bound empty."""
    m = re.search(r"\[\s*([^,\]]+?)\s*,\s*([^\]]+?)\s*\]", text)
    if not m:
        return None
    lo, hi = (None if v == "NE" else parse_number(v) for v in (m.group(1), m.group(2)))
    return lo, hi


def _point(text: str) -> Decimal | None:
    """The estimate before an interval ("13.3 [11.8, 16.1]" -> 13.3; "NE […]" -> None)."""
    head = text.split("[")[0].strip()
    head = re.sub(r"\*\s*\d*$", "", head).strip()
    if not head or head.startswith("NE"):
        return None
    return parse_number(re.sub(r"\s+", "", head))


def _efficacy(doc: Document, grid: _Grid, study: Mention, caption: tuple[str, int, int] | None,
              ctx: ExtractContext) -> list[EfficacyResult]:
    """Best-response, ORR, median and hazard-ratio rows of one table."""
    headers = _header_count(grid)
    labels = _column_labels(doc, grid, headers, ctx)
    cutoff = _data_cutoff(caption[0]) if caption else None
    context = _endpoint_in(caption[0]) if caption else None
    out: list[EfficacyResult] = []
    orr_counts: dict[int, _Cell] = {}
    for row in grid.rows[headers:]:
        head = row[0] if row else None
        if head is None:
            continue
        label = head.text
        context = _endpoint_in(label) or context
        kind = _row_kind(label)
        if kind == "count":
            orr_counts = {c: cell for c, cell in enumerate(row) if cell is not None}
            continue
        if kind is None:
            continue
        for c in range(1, len(row)):
            cell = row[c]
            if cell is None:
                continue
            arm, n = _arm(labels[c])
            fact = _efficacy_cell(doc, kind, head, cell, study, arm, n, cutoff, context,
                                  _count_pair(orr_counts, c), row, c, labels)
            if fact is not None:
                out.append(fact)
            elif kind in ("median", "hr") and not cell.text.startswith("NE"):
                ctx.issue("warning", "value-unparsed", f"unread {kind} cell {cell.text!r}", doc.ref(cell.start, cell.end))
    return _attach_ci(doc, grid, out, headers)


def _count_pair(counts: dict[int, _Cell], c: int) -> tuple[_Cell, _Cell] | None:
    """(row label, cell) of the responder-count row for column ``c``."""
    if 0 in counts and c in counts:
        return counts[0], counts[c]
    return None


def _row_kind(label: str) -> str | None:
    if label in _RESPONSE_ROWS:
        return "response"
    if label.startswith("奏効") and "割合" not in label:
        return "count"
    if "奏効割合" in label or label.startswith("ORR"):
        return "orr"
    if "中央値" in label:
        return "median"
    if "ハザード比" in label or label.startswith("HR"):
        return "hr"
    return None


def _efficacy_cell(doc: Document, kind: str, head: _Cell, cell: _Cell, study: Mention,
                   arm: str | None, n: int | None, cutoff: dt.date | None, context: str | None,
                   count: tuple[_Cell, _Cell] | None, row: tuple[_Cell | None, ...], c: int,
                   labels: list[list[_Cell]]) -> EfficacyResult | None:
    ref = doc.ref(head.start, cell.end)
    if kind == "response":
        cp = parse_count_percent(cell.text)
        if cp is not None:
            return EfficacyResult(study, head.text, ref, cp[1], "%", arm=arm, data_cutoff=cutoff,
                                  patient_count=cp[0], denominator=n)
        if cell.text.strip() == "0":
            return EfficacyResult(study, head.text, ref, Decimal(0), "%", arm=arm, data_cutoff=cutoff,
                                  patient_count=0, denominator=n)
        return None
    value = _point(cell.text)
    ci = _bracket(cell.text)
    lo, hi = ci if ci else (None, None)
    if kind == "orr":
        if value is None:
            return None
        # The responder count (奏効 row above) is read only when it is a plain integer:
        # "2*4" carries a footnote marker and is left out.
        k = int(count[1].text) if count is not None and count[1].text.isdigit() else None
        start = count[0].start if count is not None else head.start
        return EfficacyResult(study, "ORR", doc.ref(start, cell.end), value, "%", lo, hi, arm,
                              cutoff, k, n)
    if context is None or value is None:
        return None
    if kind == "median":
        return EfficacyResult(study, context, ref, value, "months", lo, hi, arm, cutoff)
    # A hazard ratio spans the arms it compares: the columns up to the next filled cell.
    stop = next((cc for cc in range(c + 1, len(row)) if row[cc] is not None), len(labels))
    arms = [a for a in (_arm(labels[cc])[0] for cc in range(c, stop)) if a]
    return EfficacyResult(study, context, ref, value, "hazard ratio", lo, hi,
                          " vs ".join(arms) if arms else None, cutoff)


def _attach_ci(doc: Document, grid: _Grid, results: list[EfficacyResult],
               headers: int) -> list[EfficacyResult]:
    """A "[95% CI] (%)" row under an ORR row gives the ORR of the same column its interval."""
    out = list(results)
    for r in range(headers + 1, len(grid.rows)):
        row, above = grid.rows[r], grid.rows[r - 1]
        if not row or row[0] is None or not row[0].text.startswith("[") or "CI" not in row[0].text:
            continue
        if not above or above[0] is None or _row_kind(above[0].text) != "orr":
            continue
        for c in range(1, len(row)):
            cell, value_cell = row[c], above[c] if c < len(above) else None
            ci = _bracket(cell.text) if cell is not None else None
            if ci is None or value_cell is None or cell is None:
                continue
            for i, res in enumerate(out):
                if res.endpoint == "ORR" and res.ref.end == value_cell.end:
                    out[i] = EfficacyResult(res.study, res.endpoint, doc.ref(res.ref.start, cell.end),
                                            res.value, res.unit, ci[0], ci[1], res.arm, res.data_cutoff,
                                            res.patient_count, res.denominator)
    return out


# --------------------------------------------------------------------------- adverse-reaction tables

_GRADE_ALL = re.compile(r"^全\s*グレード|^All\s*grades?", re.I)
_GRADE_3 = re.compile(r"グレード\s*3\s*以上|Grade\s*(?:≥|>=)\s*3", re.I)
_TOTAL_ROW = re.compile(r"^全(?:副作用|有害事象)")


def _is_ae_table(grid: _Grid) -> bool:
    first = grid.rows[0][0] if grid.rows and grid.rows[0] else None
    return first is not None and bool(re.search(r"器官別大分類|基本語|MedDRA", first.text))


def _adverse_events(doc: Document, grid: _Grid, study: Mention,
                    ctx: ExtractContext) -> list[AdverseEventIncidence]:
    """One incidence per (term row, arm, grade scope) cell. The text does not mark SOC rows, so
    they are known by their MedDRA name: an SOC row gives the SOC's own totals (its concept is
    the SOC), and the terms below it carry it as ``soc``. The total row (全副作用) is not a concept."""
    headers = _header_count(grid)
    labels = _column_labels(doc, grid, headers, ctx)
    out: list[AdverseEventIncidence] = []
    soc: Mention | None = None
    for row in grid.rows[headers:]:
        head = row[0] if row else None
        if head is None or _TOTAL_ROW.match(head.text) or _is_header_repeat(head.text, grid):
            continue
        concept = Mention(head.text, doc.lang, "concept")
        if is_soc(head.text):
            soc = concept
        for c in range(1, len(row)):
            cell = row[c]
            if cell is None:
                continue
            scope = _grade_scope(labels[c])
            if scope is None:
                continue
            arm, n = _arm([lab for lab in labels[c] if not _grade_scope([lab])])
            cp = parse_count_percent(cell.text)
            if cp is None and cell.text.strip() == "0":
                cp = (0, Decimal(0))
            if cp is None:
                ctx.issue("warning", "value-unparsed", f"unread incidence {cell.text!r}", doc.ref(cell.start, cell.end))
                continue
            out.append(AdverseEventIncidence(study, concept, doc.ref(head.start, cell.end), arm, scope,
                                             cp[0], cp[1], n, soc=None if soc is concept else soc))
    return out


def _is_header_repeat(label: str, grid: _Grid) -> bool:
    """A table split across pages repeats its header rows inside the body."""
    top = grid.rows[0][0] if grid.rows and grid.rows[0] else None
    return top is not None and label == top.text


def _grade_scope(labels: list[_Cell]) -> str | None:
    for cell in labels:
        if _GRADE_ALL.search(cell.text):
            return "all"
        if _GRADE_3.search(cell.text):
            return ">=3"
    return None


def _clinical_facts(doc: Document, span: tuple[int, int], grids: list[_Grid],
                    ctx: ExtractContext) -> list[Fact]:
    """Efficacy and adverse-reaction facts of every table inside a study section."""
    sections = _study_sections(doc, span)
    out: list[Fact] = []
    for grid in grids:
        if not span[0] <= grid.start < span[1]:
            continue
        section = next((s for s in sections if s.start <= grid.start < s.end), None)
        if section is None:
            ctx.issue("warning", "study-unattributed", "a results table outside any numbered study",
                                doc.ref(grid.start, grid.end))
            continue
        study = Mention(section.code, doc.lang, "study")
        # The header row is repeated inside a split table: those rows are skipped below.
        grid = _drop_repeated_headers(grid)
        if _is_ae_table(grid):
            out.extend(_adverse_events(doc, grid, study, ctx))
        else:
            out.extend(_efficacy(doc, grid, study, _caption(doc, grid, section.start), ctx))
    return out


def _drop_repeated_headers(grid: _Grid) -> _Grid:
    """Remove header rows repeated in the body (a table continued on the next page)."""
    headers = _header_count(grid)
    if headers == 0:
        return grid
    head_texts = [tuple(c.text if c else "" for c in row) for row in grid.rows[:headers]]
    body = [row for row in grid.rows[headers:] if tuple(c.text if c else "" for c in row) not in head_texts
            and not _is_grade_header(row)]
    return _Grid(tuple(grid.rows[:headers]) + tuple(body), grid.start, grid.end)


def _is_grade_header(row: tuple[_Cell | None, ...]) -> bool:
    """A repeated header row that differs in spacing only (グレード3 以上 vs グレード 3 以上)."""
    if row and row[0] is not None and not re.search(r"例数|器官別", row[0].text):
        return False
    values = [c.text for c in row[1:] if c is not None]
    return bool(values) and all(re.search(r"グレード|例|例数|Grade", v) for v in values)


# --------------------------------------------------------------------------- management algorithms

_ALGORITHM = re.compile(r"表\s*\d+\s*[::]?\s*(?P<concept>.+?)\s*管理アルゴリズム")
_GRADE_CELL = re.compile(r"^(?:Grade|グレード)\s*(?P<g>\d)")
_SUB_RULE = re.compile(r"\s{2,}")
_MGMT_DRUG = re.compile(r"(?P<drug>[ァ-ヶー]{4,}(?:\(遺伝子組換え\))?)")
_DOSE_TEXT = re.compile(r"\d[\d.]*(?:\s*~\s*\d[\d.]*)?\s*(?:mg/kg|mg/m\s*\^?2|g/m\s*\^?2|mg|g)(?![A-Za-z])")
_NOT_A_DRUG = frozenset({"グレード", "アルゴリズム", "ステロイド", "アナフィラキシー", "トランスアミナーゼ"})


def _management(doc: Document, product: Mention, span: tuple[int, int], grids: list[_Grid],
                ctx: ExtractContext) -> list[ManagementRule]:
    """Rules of every "表 N: <concept> 管理アルゴリズム" table of chapter 6: one per action
    cell, or per clause when a cell holds several conditional clauses (72 時間未満 / 以上)."""
    out: list[ManagementRule] = []
    for grid in grids:
        if not span[0] <= grid.start < span[1]:
            continue
        cap = _caption(doc, grid, span[0])
        m = _ALGORITHM.match(cap[0]) if cap else None
        if m is None:
            continue
        concept = Mention(m.group("concept").strip(), doc.lang, "concept")
        out.extend(_algorithm_rules(doc, product, concept, grid, ctx))
    return out


def _algorithm_rules(doc: Document, product: Mention, concept: Mention, grid: _Grid,
                     ctx: ExtractContext) -> list[ManagementRule]:
    header = tuple(c.text if c else "" for c in grid.rows[0])
    grade: int | None = None
    out: list[ManagementRule] = []
    for row in grid.rows[1:]:
        if tuple(c.text if c else "" for c in row) == header:
            continue  # header repeated where the table breaks across pages
        first = row[0] if row else None
        if first is not None:
            g = _GRADE_CELL.match(first.text)
            if g:
                grade = int(g.group("g"))
            # else: the grade's definition continues from the previous page (same grade).
        if grade is None:
            if any(row):
                ctx.issue("warning", "row-unreadable", "management row before any grade",
                                    doc.ref(grid.start, grid.end))
            continue
        for cell in row[1:]:
            if cell is None or cell.text.strip() in ("該当なし", "-", "—"):
                continue
            out.extend(_clause_rules(doc, product, concept, grade, cell))
    return out


def _clause_rules(doc: Document, product: Mention, concept: Mention, grade: int,
                  cell: _Cell) -> list[ManagementRule]:
    out: list[ManagementRule] = []
    pos = 0
    for part in _SUB_RULE.split(cell.text):
        part = part.strip()
        if not part:
            continue
        at = cell.text.find(part, pos)
        pos = at + len(part)
        drugs = _recommended(part)
        dose = _DOSE_TEXT.search(part[part.find(drugs[0]):]) if drugs else None
        out.append(ManagementRule(
            product, concept, part, doc.ref(cell.start + at, cell.start + at + len(part)), grade,
            tuple(Mention(d, doc.lang, "substance") for d in drugs),
            dose.group() if dose else None))
    return out


def _recommended(text: str) -> list[str]:
    """Drugs a clause recommends: katakana names given a dose, an intravenous use, a
    switch or a repeat (トシリズマブ 8 mg/kg, デキサメタゾンの用量…, メチルプレドニゾロン(…)
    に切り替える). A class word (副腎皮質ステロイド) is not a substance."""
    found: list[str] = []
    for m in _MGMT_DRUG.finditer(text):
        name = m.group("drug")
        if name in _NOT_A_DRUG or any(name.endswith(w) for w in _NOT_A_DRUG):
            continue
        after = text[m.end():m.end() + 25]
        if re.match(r"\s*(?:\(\s*\d|\d|を(?:再度)?投与|の静脈内投与|の用量|に切り替え)", after):
            found.append(name)
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------- requirements

_CIRCLED_UNIT = re.compile(r"(?<![^\n\f])(?:-\s*)?(?P<num>[①-⑳](?:\s*-\s*\d+)?)\s*(?P<title>[^\n\f]*)(?![^\n\f])", re.M)
_ITEM = re.compile(r"(?<![^\n\f])\((?P<n>\d+)\)\s*", re.M)
_BULLET = re.compile(r"(?<![^\n\f])\s*[-•・]\s*(?P<body>\S[^\n\f]*)(?![^\n\f])", re.M)
_POINTER = re.compile(r"(?:下記|以下)の\s*\(\d+\)")
_PHYSICIAN = re.compile(r"医師(?:が|を)[^。]*配置")


def _units(doc: Document, span: tuple[int, int]) -> list[tuple[str, int, int, int]]:
    """Circled-number units (①, ①-1, ②…): (number, heading start, body start, end)."""
    marks = list(_CIRCLED_UNIT.finditer(doc.text, *span))
    out: list[tuple[str, int, int, int]] = []
    for i, m in enumerate(marks):
        stop = marks[i + 1].start() if i + 1 < len(marks) else span[1]
        # A heading that is a whole sentence (① -2 …医師が…配置されていること。) is itself
        # the requirement, so the body starts at its title.
        body = m.start("title") if m.group("title").rstrip().endswith("。") else m.end()
        out.append((re.sub(r"\s+", "", m.group("num")), m.start(), body, stop))
    return out


def _facility(doc: Document, product: Mention, span: tuple[int, int]) -> list[UseRequirement]:
    """Chapter 4: each (n) item of a unit is one requirement, a unit without items is one;
    units that require physicians to be placed (医師が…配置) are physician requirements."""
    out: list[UseRequirement] = []
    for _num, head, body, end in _units(doc, span):
        unit_text = doc.text[head:end]
        kind = "physician" if _PHYSICIAN.search(unit_text) else "facility"
        items = list(_ITEM.finditer(doc.text, body, end))
        lead_end = items[0].start() if items else end
        lead = [ln for ln in text_lines(doc.text, body, lead_end) if not re.match(r"^表\s*\d+", ln.text)]
        if lead and not (items and _POINTER.search(" ".join(ln.text for ln in lead))):
            s, e = lead[0].start, lead[-1].end
            out.append(UseRequirement(product, kind, _flat(doc.text[s:e]), doc.ref(s, e)))
        for i, item in enumerate(items):
            stop = items[i + 1].start() if i + 1 < len(items) else end
            s, e = trim_span(doc.text, item.start(), stop)
            out.append(UseRequirement(product, kind, _flat(doc.text[s:e]), doc.ref(s, e)))
    return out


def _patients(doc: Document, product: Mention, span: tuple[int, int]) -> list[UseRequirement]:
    """Chapter 5: the unit stating where efficacy is established is one patient-eligible
    requirement; bullets of units that exclude patients or cite a contraindication (禁忌)
    are one requirement each."""
    out: list[UseRequirement] = []
    for _num, head, body, end in _units(doc, span):
        eol = re.compile(r"[\n\f]").search(doc.text, head, end)
        lead = doc.text[head:eol.start() if eol else end]
        body = max(body, head + len(lead))
        stop = _body_end(doc, body, end)
        if "禁忌" in lead:
            out.extend(_bullets(doc, product, "contraindication", body, stop))
        elif re.search(r"対象とな?らない|投与対象とはならない", lead):
            out.extend(_bullets(doc, product, "patient-excluded", body, stop))
        elif "有効性が確認" in lead:
            s, e = trim_span(doc.text, body, stop)
            if e > s:
                out.append(UseRequirement(product, "patient-eligible", _flat(doc.text[s:e]), doc.ref(s, e)))
    return out


def _body_end(doc: Document, body: int, end: int) -> int:
    """A unit's text stops at a 【…】 marker, a footnote (^13) …) or a table."""
    m = re.search(r"\n\s*(?:【|\^\d+\)|[^\n\f]*\t)", doc.text[body:end])
    return body + m.start() if m else end


def _bullets(doc: Document, product: Mention, kind: str, start: int, end: int) -> list[UseRequirement]:
    out: list[UseRequirement] = []
    for m in _BULLET.finditer(doc.text, start, end):
        s, e = m.start("body"), m.end("body")
        out.append(UseRequirement(product, kind, _flat(doc.text[s:e]), doc.ref(s, e)))  # type: ignore[arg-type]
    return out


def _warnings(doc: Document, product: Mention, span: tuple[int, int], grids: list[_Grid]) -> list[UseRequirement]:
    """Chapter 6: each bullet is one precaution ("warning"), table rows and notes aside."""
    out: list[UseRequirement] = []
    table_lines = {(g.start, g.end) for g in grids}
    for m in _BULLET.finditer(doc.text, *span):
        s, e = m.start("body"), m.end("body")
        if any(a <= s < b for a, b in table_lines):
            continue
        body = re.sub(r"^[①-⑳]\s*", "", doc.text[s:e])
        if body.endswith("について") or len(body) < 15:
            continue  # a heading bullet (③ 主な副作用のマネジメントについて)
        s = e - len(body)
        out.append(UseRequirement(product, "warning", _flat(doc.text[s:e]), doc.ref(s, e)))
    return out


# --------------------------------------------------------------------------- entry point


def extract(doc: Document) -> ExtractionResult:
    """Read one optimal-use guideline."""
    ctx = ExtractContext(doc)
    chapters = _chapters(doc)
    if "intro" not in chapters:
        ctx.issue("error", "not-this-kind", "no はじめに chapter: not a guideline in the usual template")
    intro = chapters.get("intro", (len(doc.text), len(doc.text)))
    info = _cover(doc, intro[0], ctx)
    blocks = _intro_blocks(doc, *intro)
    product = _product(doc, intro[0], blocks, ctx)
    if product is None:
        return ctx.result(info)
    info = DocumentInfo(info.title, info.issued, None, (product.mention,), info.ref)
    grids = _anchor_tables(doc, ctx)
    p = product.mention
    facts: list[Fact] = []
    if "indication" in blocks:
        facts.extend(_indications(doc, p, blocks["indication"]))
    else:
        ctx.issue("warning", "section-missing", "no 対象となる効能 block")
    if "dosage" in blocks:
        own_names = tuple(m.text for m in product.fact.substances)
        facts.extend(_dosages(doc, p, blocks["dosage"], ctx, own_names))
    else:
        ctx.issue("warning", "section-missing", "no 対象となる用法 block")
    studies: list[StudyFact] = []
    if "clinical" in chapters:
        studies = _studies(doc, p, chapters["clinical"], grids, ctx)
        facts.extend(_clinical_facts(doc, chapters["clinical"], grids, ctx))
        facts.extend(_eligibility(doc, p, chapters["clinical"], ctx))
    if "facility" in chapters:
        facts.extend(_facility(doc, p, chapters["facility"]))
    if "patients" in chapters:
        facts.extend(_patients(doc, p, chapters["patients"]))
    if "notes" in chapters:
        facts.extend(_management(doc, p, chapters["notes"], grids, ctx))
        facts.extend(_warnings(doc, p, chapters["notes"], grids))
    return ctx.result(info, (product.fact,), studies, facts)
