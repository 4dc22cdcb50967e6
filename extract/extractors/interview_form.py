"""Interview forms (医薬品インタビューフォーム), read by the chapters and items of IF記載要領.

Every IF follows the 日本病院薬剤師会 template (``ontology/schemas/interview_form.yaml``): a cover
block of fixed items (剤形, 製剤の規制区分, 規格・含量, 一般名, 製造販売承認年月日 / 薬価基準収載 /
販売開始年月日, 製造販売・提携・販売会社名 …) and thirteen numbered chapters, whose items are found
by name (``extract.readers.template``). What is read, and where:

* the trade names (II.1 販売名 (1) 和名 / (2) 洋名), the substance's JAN and INN (II.2 一般名),
  molecular formula and weight (II.4);
* the identifiers and dates of each trade name, one ``BrandRecord`` per passage: X.8 (製造販売承認
  年月日及び承認番号、薬価基準収載年月日、販売開始年月日, as ``label: value`` lines or a table with a
  販売名 column), X.13 各種コード (a table by its header cells: HOT番号, 薬価基準収載医薬品コード,
  個別医薬品コード (YJコード), レセプト電算処理システム用コード), X.1 規制区分, X.2 有効期間, X.3 貯法,
  IV.10 (2) 包装, and the cover's dates; each code is checked against its fixed format;
* X.11 再審査期間 per indication (length, 満了年月, 希少疾病用医薬品);
* I.6 RMPの概要: the safety concerns by category and the additional activities, from the table
  every IF copies from the RMP's summary page.

A value that is not in its template form is skipped with an Issue, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Iterable

from extract.model import (Activity, AdverseEventIncidence, BrandRecord, DocumentInfo, Document, ExtractionResult,
                           Indication, Mention, ProductFact, ReexaminationPeriod, RequirementKind, SafetyConcern,
                           SeriousAdverseReaction, SourceRef, StudyFact, SubstanceRecord, Table, UseRequirement,
                           EfficacyResult, YearMonth)
from extract.normalize.dosage import parse_dosage, regimen_fact
from extract.normalize.values import parse_date, parse_number, parse_year_month
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, span_text, text_lines, trim_span
from extract.readers.template import Heading, compact, find_headings, load_template, section_titled

SCHEMA = "interview_form"


@dataclass(frozen=True, slots=True)
class Names:
    """The trade names (和名 then 洋名) and the substance names of II. 名称に関する項目."""

    trade_ja: tuple[Line, ...]
    trade_en: tuple[Line, ...]
    jan: Line | None
    inn: Line | None


def extract(doc: Document) -> ExtractionResult:
    ctx = ExtractContext(doc)
    template = load_template(SCHEMA)
    headings = find_headings(doc, template)
    for chapter in template["chapters"]:
        if chapter.get("required") and chapter["number"] not in headings:
            ctx.error("section-missing", f"chapter {chapter['number']}. {chapter['title']} not found")
    names = read_names(ctx, headings)
    if not names.trade_ja:
        ctx.error("not-this-kind", "no trade name (II.1 販売名 (1) 和名)")
        return ctx.result(DocumentInfo(title="医薬品インタビューフォーム"))
    product = Mention(names.trade_ja[0].text, "ja", "product")
    ctx = ctx.for_product(product)
    trade_names = tuple(n.text for n in names.trade_ja)
    substance = read_substance(ctx, headings, names)
    cover = read_cover(ctx, trade_names)
    read_approvals(ctx, headings, trade_names)
    read_codes(ctx, headings, trade_names)
    read_handling(ctx, headings, trade_names)
    read_reexamination(ctx, headings)
    read_rmp_summary(ctx, headings)
    own = (substance.text,) if substance else ()
    read_indications(ctx, headings)
    read_dosage(ctx, headings, own)
    read_requirements(ctx, headings)
    read_serious_reactions(ctx, headings)
    studies = read_studies(ctx, headings)
    read_key_results(ctx, headings)
    records = [f for f in ctx.facts if isinstance(f, BrandRecord)]
    pf = ProductFact(
        product, ctx.ref(names.trade_ja[0].start, names.trade_ja[0].end),
        names=tuple(dict.fromkeys(n.text for n in (*names.trade_ja, *names.trade_en))),
        substances=(substance,) if substance else (),
        holder=cover.holder,
        approval_number=tuple(dict.fromkeys(r.approval_number for r in records if r.approval_number)),
        approval_date=tuple(dict.fromkeys(r.approval_date for r in records if r.approval_date)),
        therapeutic_category=cover.category)
    info = DocumentInfo(title=f"{trade_names[0]} 医薬品インタビューフォーム", products=(product,),
                        ref=cover.ref, issued_month=cover.issued, edition=cover.edition)
    return ctx.result(info, products=[pf], studies=studies, facts=_unique(ctx.facts))


def _unique(facts: Iterable[object]) -> list:  # type: ignore[type-arg]
    return list(dict.fromkeys(facts))


# --------------------------------------------------------------------------- names (II.)


_NOT_NAME = re.compile(r"[。:]|該当")
_JAN = re.compile(r"^(?P<name>.+?)\s*\(\s*JAN\s*\)$")
_INN = re.compile(r"^(?P<name>.+?)\s*\(\s*INN\s*\)$")


def _lines(ctx: ExtractContext, h: Heading | None) -> list[Line]:
    return text_lines(ctx.doc.text, h.body_start, h.end) if h else []


def read_names(ctx: ExtractContext, headings: dict[str, Heading]) -> Names:
    """II.1 (1) 和名 / (2) 洋名: one trade name a line; II.2 (1) / (2): the JAN and INN, each
    marked with its naming system in brackets."""
    item = section_titled(headings, "II", "販売名")
    subs = _subs(headings, item)
    trade_ja = tuple(ln for ln in _lines(ctx, subs.get("和名")) if _is_name(ln.text))
    trade_en = tuple(ln for ln in _lines(ctx, subs.get("洋名")) if _is_name(ln.text))
    generic = _subs(headings, section_titled(headings, "II", "一般名"))
    jan = next((ln for ln in _lines(ctx, generic.get("和名(命名法)")) if _JAN.match(ln.text)), None)
    inn = next((ln for ln in _lines(ctx, generic.get("洋名(命名法)")) if _INN.match(ln.text)), None)
    return Names(trade_ja, trade_en, jan, inn)


def _subs(headings: dict[str, Heading], item: Heading | None) -> dict[str, Heading]:
    """The sub-items ``(n) 名`` of an item, by their template name."""
    if item is None:
        return {}
    return {compact(h.title): h for p, h in headings.items() if p.startswith(item.path + ".(")}


def _is_name(text: str) -> bool:
    return 1 < len(text) <= 60 and not _NOT_NAME.search(text)


_FORMULA = re.compile(r"分子式\s*:\s*(?P<f>.+)$")
_WEIGHT = re.compile(r"分子量\s*:\s*(?P<w>\d{1,4}(?:\.\d{1,3})?)\s*$")


def read_substance(ctx: ExtractContext, headings: dict[str, Heading], names: Names) -> Mention | None:
    """The active substance (its JAN) with its INN, molecular formula and weight (II.4)."""
    if names.jan is None:
        ctx.warn("field-missing", "no JAN in II.2 一般名 (1) 和名(命名法)")
        return None
    jan_m = _JAN.match(names.jan.text)
    assert jan_m is not None
    substance = Mention(jan_m.group("name"), "ja", "substance")
    inn_m = _INN.match(names.inn.text) if names.inn else None
    formula, weight, spans = None, None, [(names.jan.start, names.jan.end)]
    mw = section_titled(headings, "II", "分子式及び分子量")
    lines = _lines(ctx, mw)
    for i, ln in enumerate(lines):
        if m := _WEIGHT.search(ln.text):
            weight = Decimal(m.group("w"))
            spans.append((ln.start, ln.end))
    for i, ln in enumerate(lines):
        if m := _FORMULA.search(ln.text):
            below = lines[i + 1].text if i + 1 < len(lines) else ""
            formula = molecular_formula(m.group("f"), below, weight)
            if formula is None:
                ctx.warn("value-unparsed", f"molecular formula not read: {ln.text!r}", (ln.start, ln.end))
            spans.append((ln.start, ln.end))
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    ctx.add(SubstanceRecord(substance, ctx.ref(start, end) if mw else ctx.ref(*spans[0]), ctx.product,
                            jan=jan_m.group("name"), inn=inn_m.group("name") if inn_m else None,
                            molecular_formula=formula, molecular_weight=weight))
    return substance


# Standard atomic weights (IUPAC, conventional values) of the elements drug substances are made of.
_ATOMIC = {"H": 1.008, "B": 10.81, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998, "Na": 22.990,
           "Mg": 24.305, "Al": 26.982, "Si": 28.085, "P": 30.974, "S": 32.06, "Cl": 35.45, "K": 39.098,
           "Ca": 40.078, "Fe": 55.845, "Co": 58.933, "Cu": 63.546, "Zn": 65.38, "Se": 78.971,
           "Br": 79.904, "Sr": 87.62, "Tc": 98.0, "I": 126.904, "Pt": 195.08, "Gd": 157.25, "Li": 6.94,
           "Bi": 208.98, "Au": 196.97, "Ga": 69.723, "Mn": 54.938}
_ELEMENT = re.compile(r"[A-Z][a-z]?")
_TERM = re.compile(r"([A-Z][a-z]?)(\d*)")


def molecular_formula(printed: str, below: str, weight: Decimal | None) -> str | None:
    """The formula as one string. PDF text often sets the subscripts on a line of their own
    (``C H N O`` over ``25 24 6 2``): then the counts are put back element by element, and the
    result is kept only if its mass matches the printed molecular weight (to 0.1), which rules
    out a wrong pairing. A formula printed in one piece is checked the same way when a weight
    is given."""
    text = printed.replace("_", "").strip()
    if re.fullmatch(r"(?:[A-Z][a-z]?\d*)+", text.replace(" ", "")) and re.search(r"\d", text):
        joined = text.replace(" ", "")
        return joined if weight is None or _mass_matches(joined, weight) else None
    symbols = text.split()
    counts = below.split()
    if not symbols or not all(_ELEMENT.fullmatch(s) for s in symbols) or weight is None:
        return None
    if not counts or not all(c.isdigit() for c in counts) or len(counts) > len(symbols):
        return None
    for candidate in _pairings(symbols, counts):
        if _mass_matches(candidate, weight):
            return candidate
    return None


def _pairings(symbols: list[str], counts: list[str]) -> Iterable[str]:
    """Every way to give ``counts`` (in order) to ``symbols`` (in order), the other symbols
    standing alone (count 1)."""
    def walk(i: int, j: int) -> Iterable[str]:
        if i == len(symbols):
            if j == len(counts):
                yield ""
            return
        if j < len(counts):
            for rest in walk(i + 1, j + 1):
                yield symbols[i] + counts[j] + rest
        if len(symbols) - i > len(counts) - j:
            for rest in walk(i + 1, j):
                yield symbols[i] + rest
    return walk(0, 0)


def _mass_matches(formula: str, weight: Decimal) -> bool:
    total = 0.0
    for symbol, count in _TERM.findall(formula):
        if symbol not in _ATOMIC:
            return False
        total += _ATOMIC[symbol] * (int(count) if count else 1)
    return abs(total - float(weight)) <= 0.1


# --------------------------------------------------------------------------- the cover


@dataclass(frozen=True, slots=True)
class Cover:
    ref: SourceRef | None = None
    issued: YearMonth | None = None
    edition: str | None = None
    holder: Mention | None = None
    category: str | None = None


_REVISED = re.compile(r"(?P<ym>(?:\d{4}|(?:令和|平成)(?:\d{1,2}|元))\s*年\s*\d{1,2}\s*月)\s*(?:改訂|作成)"
                      r"\s*(?:\(\s*(?P<ed>第\s*\d+\s*版)\s*\))?")
_CATEGORY = re.compile(r"日本標準商品分類番号\s*[:：]?\s*(?P<n>\d{6}(?:\s*[、,]\s*\d{6})*)")
_COMPANY_LABELS = ("製造販売元", "製造販売", "販売元", "発売元", "輸入元", "販売提携", "提携", "共同開発",
                   "プロモーション提携", "販売")
_COMPANY = re.compile(r"(?P<label>" + "|".join(_COMPANY_LABELS) + r")\s*:\s*")
_COVER_DATES = {"製造販売承認年月日": "approval_date", "薬価基準収載年月日": "nhi_listing_date",
                "販売開始年月日": "launch_date"}


def read_cover(ctx: ExtractContext, trade_names: tuple[str, ...]) -> Cover:
    """The first page: the revision line (``2025年11月改訂(第17版)``), 日本標準商品分類番号, and
    the cover table's items by their names (dates, the holder)."""
    doc = ctx.doc
    if not doc.pages:
        return Cover()
    first = doc.pages[0]
    head = doc.text[first.start:first.end]
    issued = edition = None
    ref = None
    if m := _REVISED.search(head):
        ym = parse_year_month(m.group("ym"))
        issued = YearMonth(*ym) if ym else None
        edition = re.sub(r"\s+", "", m.group("ed")) if m.group("ed") else None
        ref = ctx.ref(first.start + m.start(), first.start + m.end())
    category = None
    if m := _CATEGORY.search(head):
        category = re.sub(r"\s+", "", m.group("n"))
    holder = None
    table = next((t for t in doc.tables if t.pages[:1] == (first.number,) and _is_cover(t)), None)
    if table is not None:
        cells = _label_cells(table)
        holder = _holder(cells.get("製造販売(輸入)・提携・販売会社名") or cells.get("製造販売・提携・販売会社名"))
        dates = cells.get(next((k for k in cells if k.startswith("製造販売承認年月日")), ""))
        if dates is not None:
            _cover_dates(ctx, dates, trade_names)
    return Cover(ref, issued, edition, holder, category)


def _is_cover(table: Table) -> bool:
    labels = {compact(r[0]) for r in table.rows() if r}
    return "剤形" in labels or any(lb.startswith("製剤の規制区分") for lb in labels)


def _label_cells(table: Table) -> dict[str, tuple[str, SourceRef]]:
    """The cover table's value cells by their compacted label (first column)."""
    out: dict[str, tuple[str, SourceRef]] = {}
    by_pos = {(c.row, c.col): c for c in table.cells}
    for r in range(table.n_rows):
        label, value = by_pos.get((r, 0)), by_pos.get((r, 1))
        if label is not None and value is not None and value.text.strip():
            out[compact(label.text)] = (value.text, value.ref)
    return out


def _holder(cell: tuple[str, SourceRef] | None) -> Mention | None:
    """製造販売元 (or 製造販売) of the company cell, cut at the next label (提携, 販売 …)."""
    if cell is None:
        return None
    text = cell[0]
    parts = list(_COMPANY.finditer(text))
    for i, m in enumerate(parts):
        if m.group("label") in ("製造販売元", "製造販売"):
            end = parts[i + 1].start() if i + 1 < len(parts) else len(text)
            name = text[m.end():end].strip()
            if name and len(name) <= 60:
                return Mention(name, "ja", "organization")
    return None


def _cover_dates(ctx: ExtractContext, cell: tuple[str, SourceRef], trade_names: tuple[str, ...]) -> None:
    """The cover's three dates, one record, when the IF is about one trade name (a cover for
    several gives the dates per name in X.8, which is read instead)."""
    text, ref = cell
    values: dict[str, object] = {}
    labels = "|".join(_COVER_DATES)
    for m in re.finditer(rf"(?P<label>{labels})\s*:\s*(?P<value>.*?)(?=(?:{labels})\s*:|$)", text):
        day = parse_date(m.group("value"))
        if day is not None:
            values[_COVER_DATES[m.group("label")]] = day
    if not values:
        return
    if len(trade_names) != 1:
        ctx.warn("content-skipped", "cover dates of several trade names: read from X.8 instead", ref)
        return
    ctx.add(BrandRecord(ctx.product, trade_names[0], ref, **values))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- X. 管理的事項


_APPROVAL_NUMBER = re.compile(r"^\d{5}[A-Z]{3}\d{5,8}$")
_CODE12 = re.compile(r"^\d{7}[A-Z0-9]\d{3}[A-Z0-9]$")
_HOT = re.compile(r"^\d{9}(?:\d{4})?$")
_RECEIPT = re.compile(r"^\d{9}$")
_X8_LABELS = {"製造販売承認年月日": "approval_date", "承認年月日": "approval_date", "承認番号": "approval_number",
              "薬価基準収載年月日": "nhi_listing_date", "販売開始年月日": "launch_date"}


def _value(field: str, raw: str) -> object | None:
    """A field's typed value, or None when it is not in its template form."""
    text = re.sub(r"\s+", "", raw)
    if field.endswith("_date"):
        return parse_date(text)
    pattern = {"approval_number": _APPROVAL_NUMBER, "nhi_price_code": _CODE12, "yj_code": _CODE12,
               "hot_number": _HOT, "receipt_code": _RECEIPT}[field]
    return text if pattern.match(text) else None


def read_approvals(ctx: ExtractContext, headings: dict[str, Heading], trade_names: tuple[str, ...]) -> None:
    """X.8 (2013: X.10 and X.11): approval date and number, NHI listing and launch dates."""
    found = [h for h in (section_titled(headings, "X", "製造販売承認年月日及び承認番号、薬価基準収載年月日、販売開始年月日"),
                         section_titled(headings, "X", "薬価基準収載年月日")) if h is not None]
    if not found:
        ctx.error("section-missing", "X. 製造販売承認年月日及び承認番号 not found")
        return
    for h in found:
        tables = [t for t in _tables_in(ctx.doc, h) if _name_header(t.rows()) is not None]
        for t in tables:
            _brand_table(ctx, t, trade_names, _X8_LABELS)
        if not tables:  # label: value lines, or a two-column table of labels and values
            _labelled_lines(ctx, h, trade_names, _X8_LABELS)


def _tables_in(doc: Document, h: Heading) -> list[Table]:
    return [t for t in doc.tables if h.start <= t.ref.start < h.end]


# ``label: value``, or the label and its value in two cells of a line (a tab or a wide gap)
_LABELLED = re.compile(r"^(?P<label>[^:\t]{2,20}?)\s*(?::|\t|\s{3,})\s*(?P<value>\S.*)$")


def _labelled_lines(ctx: ExtractContext, h: Heading, trade_names: tuple[str, ...],
                    labels: dict[str, str]) -> None:
    """``label: value`` lines for the one trade name of the IF; under an item named after one
    field (2013: ``11. 薬価基準収載年月日``) a bare value is that field's."""
    values: dict[str, object] = {}
    spans: list[tuple[int, int]] = []
    own = labels.get(compact(h.title))
    for ln in _lines(ctx, h):
        m = _LABELLED.match(ln.text)
        if m is not None:
            label, raw, field = m.group("label"), m.group("value"), labels.get(compact(m.group("label")))
        else:
            label, raw, field = h.title, ln.text, own
        if field is None:
            continue
        value = _value(field, raw)
        if value is None:
            ctx.warn("value-unparsed", f"{label}: {raw!r} is not in its form", (ln.start, ln.end))
            continue
        values.setdefault(field, value)
        spans.append((ln.start, ln.end))
    if not values:
        return
    if len(trade_names) != 1:
        ctx.warn("reference-ambiguous", f"{h.title}: one set of values for {len(trade_names)} trade names",
                 (spans[0][0], spans[-1][1]))
        return
    ctx.add(BrandRecord(ctx.product, trade_names[0], ctx.ref(spans[0][0], spans[-1][1]),
                        **values))  # type: ignore[arg-type]


_CODE_HEADERS = (("hot_number", ("HOT",)), ("nhi_price_code", ("薬価基準収載医薬品コード", "薬価基準収載コード")),
                 ("yj_code", ("YJコード", "個別医薬品コード")), ("receipt_code", ("レセプト",)))


def read_codes(ctx: ExtractContext, headings: dict[str, Heading], trade_names: tuple[str, ...]) -> None:
    """X.13 各種コード (2013: X.16): a table, one row per trade name, columns by header."""
    h = section_titled(headings, "X", "各種コード")
    if h is None:
        ctx.error("section-missing", "X. 各種コード not found")
        return
    tables = _tables_in(ctx.doc, h)
    if not tables:
        ctx.error("table-missing", "X. 各種コード: no table", (h.start, h.end))
    for t in tables:
        _brand_table(ctx, t, trade_names, {})


def _column_field(header: str, labels: dict[str, str]) -> str | None:
    text = compact(header)
    if labels:
        return labels.get(text) or next((f for lb, f in labels.items() if text.startswith(lb)), None)
    return next((f for f, keys in _CODE_HEADERS if any(k in text for k in keys)), None)


def _name_header(rows: list[list[str]]) -> int | None:
    """The header row (among the first three) holding a 販売名 cell, if any."""
    return next((i for i, r in enumerate(rows[:3]) if any(compact(c) == "販売名" for c in r)), None)


def _brand_table(ctx: ExtractContext, table: Table, trade_names: tuple[str, ...], labels: dict[str, str]) -> None:
    """A table with a 販売名 column: one record per row, each column by its header (codes when
    ``labels`` is empty, else the labelled dates/numbers)."""
    rows = table.rows()
    head = _name_header(rows)
    if head is None:
        if len(trade_names) == 1 and labels == {}:
            ctx.warn("table-unreadable", "各種コード: no 販売名 column", table.ref)
        return
    name_col = next(j for j, c in enumerate(rows[head]) if compact(c) == "販売名")
    fields = {j: _column_field(c, labels) for j, c in enumerate(rows[head]) if j != name_col}
    cells = {(c.row, c.col): c for c in table.cells}
    for r in range(head + 1, table.n_rows):
        name_cell = cells.get((r, name_col))
        if name_cell is None or not name_cell.text.strip():
            continue
        name = _known_name(name_cell.text, trade_names)
        if name is None:
            ctx.warn("reference-unknown", f"table row names {name_cell.text!r}, not a trade name of II.1",
                     name_cell.ref)
            continue
        values: dict[str, object] = {}
        for j, field in fields.items():
            cell = cells.get((r, j))
            if field is None or cell is None or not cell.text.strip():
                continue
            value = _value(field, cell.text)
            if value is None:
                ctx.warn("value-unparsed", f"{rows[head][j]}: {cell.text!r} is not in its form", cell.ref)
            else:
                values[field] = value
        if values:
            row_cells = [c for c in table.cells if c.row == r]
            start, end = min(c.ref.start for c in row_cells), max(c.ref.end for c in row_cells)
            ctx.add(BrandRecord(ctx.product, name, ctx.ref(start, end), **values))  # type: ignore[arg-type]


def _known_name(text: str, trade_names: tuple[str, ...]) -> str | None:
    """The II.1 trade name a table cell names (spacing and ® aside)."""
    want = compact(text).replace("®", "")
    return next((n for n in trade_names if compact(n).replace("®", "") == want), None)


# Regulatory classes of the Pharmaceutical and Medical Device Act a 規制区分 may state.
_CLASSES = ("特定生物由来製品", "生物由来製品", "毒薬", "劇薬", "処方箋医薬品", "処方せん医薬品", "習慣性医薬品",
            "向精神薬", "麻薬", "覚醒剤原料", "覚せい剤原料", "指定医薬品")
_CLASS_RUN = re.compile(r"(?:" + "|".join(_CLASSES) + r")(?:\s*[*※]\d?)?(?:\s*[、,・]\s*(?:"
                        + "|".join(_CLASSES) + r")(?:\s*[*※]\d?)?)*")
_MONTHS = re.compile(r"(\d{1,3})\s*(?:ヵ月|か月|カ月|ヶ月|ケ月|箇月|ヵ月間|か月間)")
_YEARS = re.compile(r"(\d{1,2})\s*年(?:間)?(?!\d)")


def read_handling(ctx: ExtractContext, headings: dict[str, Heading], trade_names: tuple[str, ...]) -> None:
    """X.1 規制区分, X.2 有効期間, X.3 包装状態での貯法, IV.10 (2) 包装 (2013: X.包装)."""
    _regulatory_class(ctx, section_titled(headings, "X", "規制区分"), trade_names)
    single = trade_names[0] if len(trade_names) == 1 else None
    life = section_titled(headings, "X", "有効期間")
    for ln in _lines(ctx, life)[:1]:
        text = re.sub(r"^有効期間\s*:\s*", "", ln.text)
        if single and not text.startswith("該当"):
            ctx.add(BrandRecord(ctx.product, single, ctx.ref(ln.start, ln.end), shelf_life=text,
                                shelf_life_months=_months(text)))
    storage = section_titled(headings, "X", "包装状態での貯法")
    for ln in _lines(ctx, storage)[:1]:
        if single and not ln.text.startswith("該当"):
            ctx.add(BrandRecord(ctx.product, single, ctx.ref(ln.start, ln.end), storage=ln.text))
    pack = _subs(headings, section_titled(headings, "IV", "容器・包装")).get("包装") \
        or section_titled(headings, "X", "包装")
    for ln in _lines(ctx, pack):
        if single and not ln.text.startswith(("該当", "http")):
            ctx.add(BrandRecord(ctx.product, single, ctx.ref(ln.start, ln.end), packaging=ln.text))
    if not single and (life or storage or pack):
        ctx.warn("content-skipped", "有効期間 / 貯法 / 包装 of several trade names are not paired with them")


def _months(text: str) -> int | None:
    months = {int(m.group(1)) for m in _MONTHS.finditer(text)}
    years = {int(m.group(1)) * 12 for m in _YEARS.finditer(text)}
    found = months | years
    return found.pop() if len(found) == 1 else None


def _regulatory_class(ctx: ExtractContext, h: Heading | None, trade_names: tuple[str, ...]) -> None:
    """``製剤: <販売名> 劇薬、処方箋医薬品*`` lines (or the class alone for the one trade name)."""
    for ln in _lines(ctx, h):
        m = re.match(r"^(?:製剤\s*:\s*)?(?P<rest>.+)$", ln.text)
        if ln.text.startswith(("有効成分", "*", "※", "注")) or m is None:
            continue
        run = _CLASS_RUN.search(m.group("rest"))
        if run is None:
            continue
        before = m.group("rest")[:run.start()].strip()
        name = _known_name(before, trade_names) if before else (trade_names[0] if len(trade_names) == 1 else None)
        if name is None and len(trade_names) == 1 and before:
            name = trade_names[0] if compact(before).replace("®", "") in compact(trade_names[0]).replace("®", "") else None
        if name is None:
            ctx.warn("reference-unknown", f"規制区分 of {before!r}: not a trade name of II.1", (ln.start, ln.end))
            continue
        cls = re.sub(r"\s*[*※]\d?", "", run.group()).strip()
        ctx.add(BrandRecord(ctx.product, name, ctx.ref(ln.start, ln.end), regulatory_class=cls))


_PERIOD = re.compile(
    r"(?P<ind>[^:]+?)\s*:\s*(?P<period>\d{1,2}\s*年間?|[^:]+?の残余期間)\s*"
    r"(?:\(\s*満了年月\s*:\s*(?P<end>[^()]+?)\s*\))?\s*(?P<orphan>\(\s*希少疾病用医薬品\s*\))?")


_DAY = r"(?:\d{4}|(?:令和|平成)(?:\d{1,2}|元))\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_SINGLE_PERIOD = re.compile(rf"^(?P<years>\d{{1,2}})\s*年間?\s*[:(]?\s*(?P<from>{_DAY})\s*[~-]\s*(?P<to>{_DAY})\s*\)?")


def read_reexamination(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """X.11 再審査期間 (2013: X.14): ``<効能>: 10年間 (満了年月: 2026年3月) (希少疾病用医薬品)``
    entries, lines wrapped anywhere; or one period for the product, ``8年: <from>～<to>``."""
    h = section_titled(headings, "X", "再審査期間")
    lines = _lines(ctx, h)
    if not lines or lines[0].text.startswith("該当"):
        return
    start, end = lines[0].start, lines[-1].end
    raw = ctx.doc.text[start:end]
    joined, offsets = _joined(raw)
    if m := _SINGLE_PERIOD.match(joined):  # one period for the product: 8年(2014年3月24日～2022年3月23日)
        ym = parse_year_month(m.group("to"))
        ctx.add(ReexaminationPeriod(ctx.product, m.group().strip(), ctx.ref(start, start + offsets[m.end() - 1] + 1),
                                    years=int(m.group("years")), end_month=YearMonth(*ym) if ym else None))
        return
    pos = 0
    for m in _PERIOD.finditer(joined):
        if joined[pos:m.start()].strip():
            ctx.warn("value-unparsed", f"再審査期間: {joined[pos:m.start()]!r} not read",
                     (start + offsets[pos], start + offsets[m.start()]))
        pos = m.end()
        years = re.match(r"(\d{1,2})", m.group("period"))
        ym = parse_year_month(m.group("end")) if m.group("end") else None
        s, e = start + offsets[m.start()], start + offsets[max(m.start(), m.end() - 1)] + 1
        ctx.add(ReexaminationPeriod(ctx.product, m.group().strip(), ctx.ref(*trim_span(ctx.doc.text, s, e)),
                                    indication=m.group("ind").strip(),
                                    years=int(years.group(1)) if years else None,
                                    end_month=YearMonth(*ym) if ym else None,
                                    orphan=True if m.group("orphan") else None))


def _joined(raw: str, marks: str = "") -> tuple[str, list[int]]:
    """``raw`` with its line breaks (and the spacing around them) removed, and the offset in
    ``raw`` of each character kept; ``marks`` (list marks) are dropped where a line opens with
    them."""
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    lead = " \t\n\f" + marks
    while i < len(raw) and raw[i] in lead:
        i += 1
    while i < len(raw):
        if raw[i] == "\n" or raw[i] == "\f":
            while out and out[-1] in " \t":
                out.pop()
                offsets.pop()
            i += 1
            while i < len(raw) and raw[i] in lead:
                i += 1
            continue
        out.append(raw[i])
        offsets.append(i)
        i += 1
    return "".join(out), offsets


# --------------------------------------------------------------------------- I.6 RMPの概要

_CONCERN_HEADS = {"重要な特定されたリスク": "identified", "重要な潜在的リスク": "potential",
                  "重要な不足情報": "missing"}
_ACTIVITY_HEADS = {"追加の医薬品安全性監視活動": "pv", "追加のリスク最小化活動": "rm"}
_NONE = re.compile(r"^(?:該当なし|なし|該当しない|-)$")


def read_rmp_summary(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """I.6 RMPの概要: the RMP summary page's tables. A header cell 【重要な特定されたリスク】 …
    has its concerns in the cell below; an activity cell opens with its heading
    (追加の医薬品安全性監視活動 …) followed by its bulleted items."""
    h = section_titled(headings, "I", "RMPの概要")
    if h is None:
        return
    for table in _tables_in(ctx.doc, h):
        cells = {(c.row, c.col): c for c in table.cells}
        for c in table.cells:
            head = compact(c.text).strip("【】")
            if head in _CONCERN_HEADS:
                below = cells.get((c.row + c.row_span, c.col))
                if below is not None:
                    for label, ref in _bullets(ctx, below.text, below.ref):
                        ctx.add(SafetyConcern(ctx.product, _CONCERN_HEADS[head], label, ref,  # type: ignore[arg-type]
                                              Mention(label, "ja", "concept")))
                continue
            for name, kind in _ACTIVITY_HEADS.items():
                if compact(c.text).startswith(name):
                    for label, ref in _bullets(ctx, _after(c.text, name), c.ref):
                        ctx.add(Activity(kind, ctx.product, label, "additional", ref))  # type: ignore[arg-type]


def _after(text: str, name: str) -> str:
    """``text`` after its opening ``name`` (which it may print with spacing inside)."""
    i = 0
    for ch in name:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] != ch:
            return ""
        i += 1
    return text[i:]


def _bullets(ctx: ExtractContext, text: str, ref: SourceRef) -> list[tuple[str, SourceRef]]:
    """The items of a bulleted cell (``・ 出血・ 骨髄抑制``): a bullet followed by a space starts
    an item (a name may itself hold ``・`` without a space)."""
    body = text.strip()
    if not body or _NONE.match(compact(body)):
        return []
    parts = re.split(r"・\s", " " + body + " ") if "・ " in body else re.split(r"・", body)
    out = []
    for part in parts:
        label = part.strip()
        if label and not _NONE.match(label):
            out.append((label, _span_of(ctx, label, ref)))
    return out


def _span_of(ctx: ExtractContext, label: str, ref: SourceRef) -> SourceRef:
    """The item's own span inside its cell's span when found there (evidence is the item)."""
    at = ctx.doc.text.find(label, ref.start, ref.end)
    return ctx.ref(at, at + len(label)) if at >= 0 else ref


# --------------------------------------------------------------------------- the insert's text
# An IF item that has a package-insert counterpart quotes the insert's text first, under the
# insert's own numbered heading (``4. 効能又は効果`` under V.1, ``2. 禁忌(次の患者には投与しないこと)``
# under VIII.2, ``11.1 重大な副作用`` under VIII.8 (1)), then explains it under ``(解説)``.

_EXPLANATION = "(解説)"
_INSERT_NUMBER = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})*)\.?")
_MARKER = "〇○◯・"
_SUBHEAD = re.compile(r"^[〈<《](?P<label>[^〉>》]{2,120})[〉>》]$")
_CROSS_REF = re.compile(r"\s*\[[\d.、,\s]+参照\]\s*$")


def quote(ctx: ExtractContext, h: Heading | None, *titles: str) -> list[Line]:
    """The lines of the insert text an IF item quotes: after the insert's heading (its number,
    then one of ``titles``) up to the ``(解説)`` that follows."""
    lines = _lines(ctx, h)
    keys = tuple(compact(t) for t in titles)
    for i, ln in enumerate(lines):
        flat = compact(ln.text)
        m = _INSERT_NUMBER.match(flat)
        if m and flat[m.end():].startswith(keys):
            end = next((j for j in range(i + 1, len(lines)) if compact(lines[j].text).startswith(_EXPLANATION)),
                       len(lines))
            return lines[i + 1:end]
    return []


def _items(lines: list[Line], starts: "re.Pattern[str]") -> list[list[Line]]:
    """Lines grouped into items, each opening with a line ``starts`` matches (a wrapped item's
    lines stay with it); lines before the first opening are dropped."""
    items: list[list[Line]] = []
    for ln in lines:
        if starts.match(ln.text):
            items.append([ln])
        elif items:
            items[-1].append(ln)
    return items


def _item_text(ctx: ExtractContext, item: list[Line], lead: "re.Pattern[str]") -> tuple[str, tuple[int, int]]:
    """An item's text as one line without its number or mark and without a trailing
    cross-reference (``[9.3.1、16.6.1参照]``), and its span."""
    text = span_text(ctx.doc, item[0].start, item[-1].end)
    text = _CROSS_REF.sub("", lead.sub("", text, count=1)).strip()
    return text, (item[0].start, item[-1].end)


_INDICATION_ITEM = re.compile(rf"^[{_MARKER}]")


def read_indications(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """V.1: the quoted 効能又は効果, one indication per ``〇`` item (or the whole quote when it
    names one indication without a mark)."""
    lines = [ln for ln in quote(ctx, section_titled(headings, "V", "効能又は効果"), "効能又は効果", "効能・効果")
             if not _SUBHEAD.match(ln.text)]
    if not lines:
        ctx.error("section-unreadable", "V.1 効能又は効果: no quoted insert text")
        return
    items = _items(lines, _INDICATION_ITEM) or [lines]
    for item in items:
        text, span = _item_text(ctx, item, re.compile(rf"^[{_MARKER}]\s*"))
        if text:
            ctx.add(Indication(ctx.product, text, ctx.ref(*span), Mention(text, "ja", "concept")))


def read_dosage(ctx: ExtractContext, headings: dict[str, Heading], own: tuple[str, ...]) -> None:
    """V.3: the quoted 用法及び用量, paragraph by ``〈indication〉`` block, through the dosage parser."""
    lines = quote(ctx, section_titled(headings, "V", "用法及び用量"), "用法及び用量", "用法・用量")
    if not lines:
        ctx.error("section-unreadable", "V.3 用法及び用量: no quoted insert text")
        return
    blocks: list[tuple[str | None, str | None, list[Line]]] = [(None, None, [])]
    for ln in lines:
        m = _SUBHEAD.match(ln.text)
        situation = _SITUATION.match(ln.text)
        if m:
            blocks.append((m.group("label"), None, []))
        elif situation:
            blocks.append((blocks[-1][0], situation.group("s"), []))
        else:
            blocks[-1][2].append(ln)
    for label, situation, block in blocks:
        if block:
            _regimens(ctx, label, situation, block, own)


# ``・未治療の場合`` on a line of its own: the regimens below it are for that situation
_SITUATION = re.compile(rf"^[{_MARKER}]?\s*(?P<s>[^。、]{{2,30}}の場合)\s*[:：]?$")


def _regimens(ctx: ExtractContext, label: str | None, situation: str | None, block: list[Line],
              own: tuple[str, ...]) -> None:
    start = block[0].start
    joined, offsets = _joined(ctx.doc.text[start:block[-1].end], _MARKER)
    dosage = parse_dosage(joined, "ja")
    for code, message, a, b in dosage.problems:
        ctx.warn(code, message, (start + offsets[a], start + offsets[max(a, b - 1)] + 1))
    for reg in dosage.regimens:
        a, b = start + offsets[reg.start], start + offsets[reg.end - 1] + 1
        fact = regimen_fact(reg, dosage, ctx.product, "ja", ctx.ref(a, b), joined[reg.start:reg.end].strip(),
                            indication=label, own=own)
        if situation:
            fact = replace(fact, condition="; ".join(c for c in (situation, fact.condition) if c))
        ctx.add(fact)


_NUMBERED_ITEM = re.compile(r"^\d{1,2}\.\d{1,2}\s")
_NUMBER_LEAD = re.compile(r"^\d{1,2}\.\d{1,2}\s*")
_REQUIREMENTS: tuple[tuple[str, tuple[str, ...], RequirementKind], ...] = (
    ("警告内容とその理由", ("警告",), "warning"),
    ("禁忌内容とその理由", ("禁忌",), "contraindication"),
)


def read_requirements(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """VIII.1 / VIII.2: the quoted 警告 and 禁忌, one requirement per numbered item (``2.1 …``), or
    the whole quote when it has no numbered items (a warning in one paragraph)."""
    for item_title, insert_titles, kind in _REQUIREMENTS:
        h = section_titled(headings, "VIII", item_title)
        lines = quote(ctx, h, *insert_titles)
        if not lines:
            if h is not None and not any(ln.text.startswith("該当") for ln in _lines(ctx, h)):
                ctx.warn("section-unreadable", f"VIII. {item_title}: no quoted insert text", (h.start, h.end))
            continue
        for item in _items(lines, _NUMBERED_ITEM) or [lines]:
            text, span = _item_text(ctx, item, _NUMBER_LEAD)
            if text:
                ctx.add(UseRequirement(ctx.product, kind, text, ctx.ref(*span)))


_SERIOUS_ITEM = re.compile(r"^11\.1\.\d{1,2}\s*(?P<name>\S.*?)\s*(?:\((?P<freq>頻度不明|\d+(?:\.\d+)?%)\))?$")
_TERM_FREQ = re.compile(r"(?P<term>[^、。:()]{1,40}?)\((?P<pct>\d+(?:\.\d+)?)%\)")
_SEVERITY = re.compile(r"重度の|重篤な|重症の|Grade\s*\d|等の")


def read_serious_reactions(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """VIII.8 (1): the quoted ``11.1.N <reaction>(<frequency>)`` items of 重大な副作用, each with its
    text up to its ``(解説)``; ``term(N.N%)`` in the text are the label's frequencies (recorded, as
    for a package insert, against the label, not a study)."""
    h = _subs(headings, section_titled(headings, "VIII", "副作用")).get(compact("重大な副作用と初期症状"))
    lines = _lines(ctx, h)
    study = Mention(f"{ctx.product.text} 添付文書", "ja", "study")  # type: ignore[union-attr]
    found = 0
    for i, ln in enumerate(lines):
        m = _SERIOUS_ITEM.match(ln.text)
        if m is None:
            continue
        found += 1
        name, freq = m.group("name").strip(), m.group("freq")
        pct = Decimal(freq[:-1]) if freq and freq.endswith("%") else None
        concept = Mention(name, "ja", "concept")
        ctx.add(SeriousAdverseReaction(ctx.product, name, ctx.ref(ln.start, ln.end), concept, pct))
        if pct is not None:
            ctx.add(AdverseEventIncidence(study, concept, ctx.ref(ln.start, ln.end), percent=pct,
                                          product=ctx.product))
        body = []
        for nxt in lines[i + 1:]:
            if compact(nxt.text).startswith(_EXPLANATION) or _SERIOUS_ITEM.match(nxt.text):
                break
            body.append(nxt)
        if body:
            _frequencies(ctx, study, body)
    if h is not None and not found:
        ctx.warn("section-unreadable", "VIII.8 (1): no 11.1.N items", (h.start, h.end))
    other = _subs(headings, section_titled(headings, "VIII", "副作用")).get(compact("その他の副作用"))
    quoted = quote(ctx, other, "その他の副作用")
    if quoted:  # the table of other reactions: a frequency printed after a term is the label's
        span = (quoted[0].start, quoted[-1].end)
        for t in (t for t in ctx.doc.tables if t.ref.start < span[1] and t.ref.end > span[0]):
            for cell in t.cells:
                for m in _TERM_FREQ.finditer(cell.text):
                    term = m.group("term").strip()
                    if term and not _SEVERITY.search(term):
                        at = ctx.doc.text.find(m.group(), cell.ref.start, cell.ref.end)
                        ref = ctx.ref(at, at + len(m.group())) if at >= 0 else cell.ref
                        ctx.add(AdverseEventIncidence(study, Mention(term, "ja", "concept"), ref,
                                                      percent=Decimal(m.group("pct")), product=ctx.product))


def _frequencies(ctx: ExtractContext, study: Mention, body: list[Line]) -> None:
    start = body[0].start
    joined, offsets = _joined(ctx.doc.text[start:body[-1].end])
    for m in _TERM_FREQ.finditer(joined):
        term = m.group("term").strip()
        span = (start + offsets[m.start("term")], start + offsets[m.end() - 1] + 1)
        if _SEVERITY.search(term) or not term:
            ctx.warn("content-skipped", f"frequency of {term!r}: under a qualifier, not recorded", span)
            continue
        ctx.add(AdverseEventIncidence(study, Mention(term, "ja", "concept"), ctx.ref(*span),
                                      percent=Decimal(m.group("pct")), product=ctx.product))


# --------------------------------------------------------------------------- V.5 studies

_STUDY_CODE = re.compile(r"^(?P<code>[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])\s*試験")
_PHASE = re.compile(r"第\s*(?P<p>[IVX]+[ab]?(?:\s*/\s*[IVX]+[ab]?)?)\s*相")
_COUNT = re.compile(r"(?P<n>\d[\d,]*)\s*例(?P<mark>\s*[*※]\d?)?")


def read_studies(ctx: ExtractContext, headings: dict[str, Heading]) -> list[StudyFact]:
    """V.5 (1) 臨床データパッケージ: tables with a 試験名 column and a phase (相) column, one study a
    row (code, phase, number of patients from the 対象 cell, design from 概要). A count carrying a
    footnote mark (``10例*2``: an analysed subset the note defines) is not the study's size, and a
    study printed over several rows (parts of one study) gets no size: neither is recorded."""
    v5 = section_titled(headings, "V", "臨床成績")
    package = _subs(headings, v5).get(compact("臨床データパッケージ"))
    if package is None:
        return []
    found: dict[str, StudyFact] = {}
    rows_of: dict[str, int] = {}
    for table in _tables_in(ctx.doc, package):
        rows = table.rows()
        head = rows[0] if rows else []
        cols = {name: next((j for j, c in enumerate(head) if rx.search(compact(c))), None)
                for name, rx in (("code", re.compile("^試験(?:名|番号)")), ("phase", re.compile("phase|相", re.I)),
                                 ("subjects", re.compile("^対象")), ("design", re.compile("^概要|デザイン")))}
        if cols["code"] is None or cols["phase"] is None:
            continue
        cells = {(c.row, c.col): c for c in table.cells}
        last: str | None = None
        for r in range(1, table.n_rows):
            code_cell = cells.get((r, cols["code"]))
            m = _STUDY_CODE.match(compact(code_cell.text)) if code_cell else None
            if m is None:
                if last and any(c.strip() for c in rows[r]):
                    rows_of[last] = rows_of.get(last, 1) + 1  # another part of the study above
                continue
            code = last = m.group("code")
            rows_of[code] = rows_of.get(code, 0) + 1
            if code in found:
                continue
            found[code] = _study_row(ctx, code, rows[r], cols, code_cell.ref)  # type: ignore[union-attr]
    out = []
    for code, sf in found.items():
        if rows_of.get(code, 1) > 1 and sf.enrollment is not None:
            ctx.warn("content-skipped", f"{code}: printed over several rows, no one number of patients", sf.ref)
            sf = replace(sf, enrollment=None)
        out.append(sf)
    return out


def _study_row(ctx: ExtractContext, code: str, row: list[str], cols: dict[str, int | None],
               ref: SourceRef) -> StudyFact:
    def cell(name: str) -> str:
        j = cols[name]
        return row[j].strip() if j is not None and j < len(row) else ""

    phase = _PHASE.search(re.sub(r"\s+", "", cell("phase")))
    n = None
    subjects = re.sub(r"\([^()]*\)", "", cell("subjects"))  # 523例(日本人11例): the bracket is a subset
    counts = list(_COUNT.finditer(subjects))
    if len(counts) == 1 and not counts[0].group("mark"):
        n = int(counts[0].group("n").replace(",", ""))
    elif counts:
        ctx.warn("content-skipped", f"{code}: {cell('subjects')!r} gives no one study size", ref)
    return StudyFact((code,), ref, phase=phase.group("p").replace(" ", "") if phase else None, enrollment=n,
                     products=(ctx.product,) if ctx.product else (), design=cell("design") or None)



# --------------------------------------------------------------------------- I.2 key results
# I.2 製品の治療学的特性 states each pivotal study's result in one bullet, ``・ …試験(CODE試験)において、
# <endpoint>は<value>%(95%CI:<lo>~<hi>%)…``, with a cross-reference to V.5 where it is detailed.

_MARK = r"(?:\*\d?)?"
# endpoint names (a footnote mark may follow a word) with their code and unit
_ENDPOINTS = ((rf"全奏効率", "ORR", "%"), (rf"(?<![\u3400-\u9fff])奏効率", "ORR", "%"),
              (rf"完全奏効(?:\(CR\))?率", "CRR", "%"), (rf"CR率", "CRR", "%"),
              (rf"(?:PFS|無増悪生存期間){_MARK}の中央値", "PFS", "months"),
              (rf"(?:OS|全生存期間){_MARK}の中央値", "OS", "months"))
_RESULT = re.compile(r"(?<![\u3400-\u9fff])(?P<ep>" + "|".join(f"(?:{e})" for e, _, _ in _ENDPOINTS) + r")"
                     + _MARK + r"は(?P<v>\d+(?:\.\d+)?)(?P<u>%|ヵ月|カ月|か月)"
                     r"(?:\s*\(\s*95%CI\s*:\s*(?P<lo>\d+(?:\.\d+)?|NE)\s*(?:%|ヵ月|カ月|か月)?\s*[~-]\s*"
                     r"(?P<hi>\d+(?:\.\d+)?|NE)\s*(?:%|ヵ月|カ月|か月)?\s*\))?")
# the study a bullet is about, and the part of it when one is named after 試験 (ランダム化パート)
_BULLET_STUDY = re.compile(r"\((?P<code>[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])試験(?P<part>[^()]*)\)において")
_UNITS = {"%": "%", "ヵ月": "months", "カ月": "months", "か月": "months"}


def read_key_results(ctx: ExtractContext, headings: dict[str, Heading]) -> None:
    """I.2's ``・`` bullets that name one study (``(CODE試験)において``) and state an endpoint's value
    right after its name (``全奏効率は87.5%``, ``PFSの中央値は14.6ヵ月(95%CI:10.4ヵ月~NE)``); a value
    qualified in between (``CR/CRi率は、17p欠失を有さない患者集団では55.9%``) is not read."""
    h = section_titled(headings, "I", "製品の治療学的特性")
    for item in _items(_lines(ctx, h), re.compile(r"^・")):
        start = item[0].start
        joined, offsets = _joined(ctx.doc.text[start:item[-1].end], "・")
        named = {(m.group("code"), m.group("part").strip()) for m in _BULLET_STUDY.finditer(joined)}
        if len(named) != 1:
            continue
        code_, part = named.pop()
        study = Mention(code_, "ja", "study")
        for m in _RESULT.finditer(joined):
            code, want = next((c, u) for e, c, u in _ENDPOINTS if re.fullmatch(e, m.group("ep")))
            unit = _UNITS[m.group("u")]
            if unit != want:
                continue
            lo, hi = m.group("lo"), m.group("hi")
            ref = ctx.ref(start + offsets[m.start()], start + offsets[m.end() - 1] + 1)
            ctx.add(EfficacyResult(study, code, ref, value=Decimal(m.group("v")), unit=unit,
                                   ci_lower=Decimal(lo) if lo and lo != "NE" else None,
                                   ci_upper=Decimal(hi) if hi and hi != "NE" else None, arm=part or None))
