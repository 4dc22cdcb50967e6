"""Patient guides (患者向医薬品ガイド), read by the headings the MHLW notice fixes.

Every guide prints the same 【】 headings in the same order (``ontology/schemas/patient_guide.yaml``),
which the loader's section tree holds. What is read, and where:

* the product: 【この薬は？】's 販売名 and 一般名 (a label / value table, the Japanese name and
  the English one in one cell);
* the date of the guide: ``2026年3月更新`` (作成, 改訂) under the title, a year and month;
* 【この薬を使う前に、確認すべきことは？】: its ``○`` paragraphs, each a sentence and its ``・``
  items. Under ``次の人は、この薬を使用することはできません`` the items are contraindications;
  under ``…特に注意が必要です。…医師または薬剤師に告げてください`` they are what the patient must
  tell the doctor (``tell-doctor``);
* the table of serious side effects, by its two header cells (重大な副作用 | 主な自覚症状): one
  row per reaction, its name followed by its reading in kana (the guide prints a reading under
  every kanji name, in smaller type: removed), its symptoms listed with ``、``, grouped under
  ``【脳出血】``-style sub-headings when the reaction has several forms.
"""

from __future__ import annotations

import re

from extract.model import (DocumentInfo, Document, DosageRegimen, ExtractionResult, Indication, InitialSymptoms, Mention,
                           ProductFact, RequirementKind, Section, Table, UseRequirement, YearMonth)
from extract.normalize.dosage import DOSE_UNITS, frequency_of, route_of
from extract.extractors.product_info import split_top
from extract.normalize.values import find_quantities, parse_year_month
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, span_text, text_lines
from extract.readers.template import compact, load_template

SCHEMA = "patient_guide"


def extract(doc: Document) -> ExtractionResult:
    ctx = ExtractContext(doc)
    template = load_template_headings()
    sections = {compact(s.title): s for s in doc.iter_sections() if compact(s.title) in template}
    for title, required in template.items():
        if required and title not in sections:
            ctx.error("section-missing", f"【{title}】 not found")
    about = sections.get(compact("この薬は?"))
    names = brand_names(doc, about)
    if not names:
        ctx.error("not-this-kind", "no 販売名 under 【この薬は？】")
        return ctx.result(DocumentInfo(title="患者向医薬品ガイド"))
    product = Mention(names[0][0], "ja", "product")
    ctx = ctx.for_product(product)
    substance = generic_name(doc, about)
    before = sections.get(compact("この薬を使う前に、確認すべきことは?"))
    if before is not None:
        read_before_use(ctx, before)
    read_side_effects(ctx)
    effect = sections.get(compact("この薬の効果は?"))
    if effect is not None:
        read_indications(ctx, effect)
    use = sections.get(compact("この薬の使い方は?"))
    if use is not None:
        read_dosage(ctx, use)
    ref = ctx.ref(about.start, about.end) if about else None
    pf = ProductFact(product, ref if ref else ctx.ref(0, 0),
                     names=tuple(dict.fromkeys(n for pair in names for n in pair if n)),
                     substances=(Mention(substance, "ja", "substance"),) if substance else ())
    info = DocumentInfo(title=f"{names[0][0]} 患者向医薬品ガイド", products=(product,),
                        issued_month=guide_month(doc), ref=ref)
    return ctx.result(info, products=[pf], facts=list(dict.fromkeys(ctx.facts)))


def load_template_headings() -> dict[str, bool]:
    """The compacted heading titles of the template, each with whether it is required."""
    return {compact(h["title"]): bool(h.get("required")) for h in load_template(SCHEMA)["headings"]}


# --------------------------------------------------------------------------- the product


def _table_in(doc: Document, section: Section | None) -> Table | None:
    if section is None:
        return None
    return next((t for t in doc.tables if section.start <= t.ref.start < section.end), None)


def _row_value(table: Table | None, label: str) -> str | None:
    for row in table.rows() if table else []:
        if row and compact(row[0]).startswith(label) and len(row) > 1 and row[1].strip():
            return row[1].strip()
    return None


_LATIN_NAME = re.compile(r"\s(?=[A-Z][A-Za-z]{2,})")


def brand_names(doc: Document, about: Section | None) -> list[tuple[str, str | None]]:
    """(Japanese, English) trade names of 【この薬は？】's 販売名 cell: the English name follows
    the Japanese one (``イムブルビカカプセル 140mg IMBRUVICA Capsules``) and starts at the first
    word of Latin capitals that is not a unit."""
    value = _row_value(_table_in(doc, about), "販売名")
    if value is None:
        return []
    m = _LATIN_NAME.search(value)
    ja, en = (value[:m.start()].strip(), value[m.end():].strip()) if m else (value, None)
    return [(ja, en)] if ja else []


def generic_name(doc: Document, about: Section | None) -> str | None:
    """一般名's Japanese part (the cell runs the Japanese and the English name together)."""
    value = _row_value(_table_in(doc, about), "一般名")
    if value is None:
        return None
    m = re.match(r"^([^A-Za-z]+)", value)
    return m.group(1).strip() if m else None


_GUIDE_DATE = re.compile(r"(?:\d{4}|(?:令和|平成)(?:\d{1,2}|元))\s*年\s*\d{1,2}\s*月\s*(?:更新|作成|改訂)")


def guide_month(doc: Document) -> YearMonth | None:
    """``2026 年 3月更新`` printed under the title (before the first heading)."""
    head = doc.text[:doc.sections[0].start] if doc.sections else doc.text[:400]
    m = _GUIDE_DATE.search(head)
    ym = parse_year_month(m.group()) if m else None
    return YearMonth(*ym) if ym else None


# --------------------------------------------------------------------------- before use

_BLOCK = "○"
_ITEM = "・"
# The notice's two sentences, with what their items are.
_BLOCK_KINDS: tuple[tuple[re.Pattern[str], RequirementKind], ...] = (
    (re.compile(r"次の人は.{0,10}使用(?:すること)?はできません"), "contraindication"),
    (re.compile(r"特に注意が必要です.{0,40}告げてください"), "tell-doctor"),
)


def read_before_use(ctx: ExtractContext, section: Section) -> None:
    """The ○ paragraphs of 【この薬を使う前に、確認すべきことは？】 whose sentence is one of the
    notice's two, and their ・ items (an item runs on over its wrapped lines)."""
    for block in _marked(text_lines(ctx.doc.text, section.start, section.end)[1:], _BLOCK):
        sentence_end = next((i for i, ln in enumerate(block) if ln.text.startswith(_ITEM)), len(block))
        sentence = span_text(ctx.doc, block[0].start, block[sentence_end - 1].end)
        kind = next((k for rx, k in _BLOCK_KINDS if rx.search(sentence)), None)
        if kind is None:
            continue
        items = _marked(block[sentence_end:], _ITEM)
        if not items:
            ctx.warn("section-unreadable", f"{sentence[:30]}…: no ・ items", (block[0].start, block[-1].end))
        for item in items:
            text = span_text(ctx.doc, item[0].start, item[-1].end).lstrip(_ITEM).strip()
            ctx.add(UseRequirement(ctx.product, kind, text,
                                   ctx.ref(item[0].start + 1, item[-1].end)))  # type: ignore[arg-type]


def _marked(lines: list[Line], mark: str) -> list[list[Line]]:
    """The runs of lines each opening with ``mark`` (a wrapped item's lines stay with it)."""
    runs: list[list[Line]] = []
    for ln in lines:
        if ln.text.startswith(mark):
            runs.append([ln])
        elif runs:
            runs[-1].append(ln)
    return runs


# --------------------------------------------------------------------------- side effects

_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff・ー]")
_KANA_TAIL = re.compile(r"^[\u3041-\u309f][\u3041-\u309f\u30a0-\u30ff・ー()\s]*$")
_KANJI = re.compile(r"[\u3400-\u9fff]")
_GROUP = re.compile(r"【([^【】]{1,30})】")


def strip_reading(cell: str) -> str | None:
    """The reaction's name without the reading the guide prints under it in kana
    (``出血しゅっけつ`` → ``出血``). Every split where the rest of the cell is kana opening with
    hiragana is a candidate; the one whose name Sudachi reads as the printed reading wins;
    failing that, the only candidate whose name does not end in kana (a name ending in kana
    could end anywhere). A name without kanji has no reading. None when nothing tells."""
    from extract.normalize.linker import kana_reading

    text = cell.strip()
    if not _KANJI.search(text):
        return text or None
    splits = [i for i in range(1, len(text)) if _KANA_TAIL.match(text[i:]) and _KANJI.search(text[:i])
              and _balanced(text[:i])]
    if not splits:
        return text
    for i in splits:
        if _bare(kana_reading(text[:i])) == _bare(text[i:]):
            return text[:i].strip()
    plain = [i for i in splits if not _KANA.match(text[i - 1])]
    return text[:plain[0]].strip() if len(plain) == 1 else None


def _balanced(text: str) -> bool:
    return text.count("(") == text.count(")")


def _bare(reading: str) -> str:
    """A reading without its brackets, dots and spacing, katakana as hiragana."""
    s = re.sub(r"[\s()・]", "", reading)
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in s)


def split_symptoms(text: str) -> list[str]:
    """Symptoms listed with ``、`` (a ``、`` inside brackets belongs to its symptom)."""
    return split_top(text, "、")


def read_side_effects(ctx: ExtractContext) -> None:
    """Every table whose header row is 重大な副作用 | 主な自覚症状 (one table or its pages)."""
    header = tuple(compact(c) for c in load_template(SCHEMA)["side_effect_table"])
    tables = [t for t in ctx.doc.tables if t.rows() and tuple(compact(c) for c in t.rows()[0][:2]) == header]
    if not tables:
        ctx.error("table-missing", "no 重大な副作用 / 主な自覚症状 table")
    for table in tables:
        cells = {(c.row, c.col): c for c in table.cells}
        for r in range(table.header_rows or 1, table.n_rows):
            name_cell, symptoms_cell = cells.get((r, 0)), cells.get((r, 1))
            if name_cell is None or symptoms_cell is None or not name_cell.text.strip():
                continue
            name = strip_reading(name_cell.text)
            if name is None:
                ctx.warn("value-unparsed", f"reaction name {name_cell.text!r}: reading not told apart",
                         name_cell.ref)
                continue
            concept = Mention(name, "ja", "concept")
            for group, text in _groups(symptoms_cell.text):
                symptoms = tuple(split_symptoms(text))
                if symptoms:
                    ctx.add(InitialSymptoms(ctx.product, name, symptoms_cell.ref, concept, group, symptoms))


def _groups(text: str) -> list[tuple[str | None, str]]:
    """The symptoms before any 【…】 sub-heading (group None), then each sub-heading's."""
    parts = _GROUP.split(text)
    out: list[tuple[str | None, str]] = [(None, parts[0])]
    out += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return out


# --------------------------------------------------------------------------- dosage

_FOR = re.compile(r"^〔(?P<label>.+?)(?:の場合)?〕$")


def read_dosage(ctx: ExtractContext, section: Section) -> None:
    """【この薬の使い方は？】: each 一回量 / 回数 table (the notice's form for the dose) is one regimen,
    for the ``〔…の場合〕`` indication printed above it (wrapped over two lines at most): the dose of 一回量 (``420mg(3カプセル)``: the
    first amount in a dose unit), the frequency and route of the 回数 row (``飲む回数 | 1日1回``)."""
    labels = []
    for ln in text_lines(ctx.doc.text, section.start, section.end):
        m = _FOR.match(re.sub(r"\s+", "", span_text(ctx.doc, ln.start, ln.end)))
        if m:
            labels.append((ln.start, m.group("label")))
    joined: list[tuple[int, str]] = []
    lines = text_lines(ctx.doc.text, section.start, section.end)
    for i, ln in enumerate(lines):  # a 〔…〕 label wrapped over two lines
        if ln.text.startswith("〔") and "〕" not in ln.text and i + 1 < len(lines):
            m = _FOR.match(re.sub(r"\s+", "", span_text(ctx.doc, ln.start, lines[i + 1].end)))
            if m:
                joined.append((ln.start, m.group("label")))
    labels = sorted(labels + joined)
    for table in (t for t in ctx.doc.tables if section.start <= t.ref.start < section.end):
        rows = {compact(r[0]): r[1].strip() for r in table.rows() if len(r) >= 2 and r[0].strip()}
        dose_text = rows.get("一回量")
        times = next((v for k, v in rows.items() if k.endswith("回数")), None)
        if dose_text is None or times is None:
            continue
        dose = next((q for q, _, _ in find_quantities(dose_text) if q.unit in DOSE_UNITS), None)
        if dose is None:
            ctx.warn("dosage-unparsed", f"一回量 {dose_text!r}: no dose", table.ref)
            continue
        label = next((lb for at, lb in reversed(labels) if at < table.ref.start), None)
        how = next(k for k in rows if k.endswith("回数"))
        text = " ".join(f"{r[0].strip()} {r[1].strip()}" for r in table.rows() if len(r) >= 2 and r[0].strip())
        ctx.add(DosageRegimen(ctx.product, text, table.ref,  # type: ignore[arg-type]
                              indication=label, dose_value=dose.value, dose_unit=dose.unit,
                              route=route_of(how), frequency=frequency_of(times)))


# --------------------------------------------------------------------------- indications

_PRESCRIBED = re.compile(r"次の病気の(?:人|方)に(?:処方|使用)されます")


def read_indications(ctx: ExtractContext, section: Section) -> None:
    """【この薬の効果は？】's ``・次の病気の人に処方されます。`` item: the lines under it, one disease
    a line, up to the next ``・`` item; a line whose brackets stay open runs on to the next."""
    lines = text_lines(ctx.doc.text, section.start, section.end)[1:]
    start = next((i for i, ln in enumerate(lines) if _PRESCRIBED.search(ln.text)), None)
    if start is None:
        return
    current: list[Line] = []
    for ln in lines[start + 1:]:
        if ln.text.startswith(_ITEM):
            break
        current.append(ln)
        text = span_text(ctx.doc, current[0].start, current[-1].end)
        if _balanced(text):
            ctx.add(Indication(ctx.product, text, ctx.ref(current[0].start, current[-1].end),
                               Mention(text, "ja", "concept")))
            current = []
    if current:
        ctx.warn("section-unreadable", "an indication with unclosed brackets", (current[0].start, current[-1].end))
